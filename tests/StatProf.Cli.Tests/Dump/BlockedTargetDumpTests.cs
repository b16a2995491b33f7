using System.Text.Json;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// <c>statprof dump</c> on tests/Targets/BlockedTarget: a spinning thread, a thread blocked on a
/// lock another one holds, a thread blocked in Task.Wait of a task that never completes.
/// </summary>
[Collection(DumpRun.Collection)]
public sealed class BlockedTargetDumpTests : IDisposable
{
    private readonly TargetProcess _target = TargetProcess.Start("BlockedTarget");

    public void Dispose() => _target.Dispose();

    [Fact]
    public void TheSpinningThreadRunsInTheBusyMethod()
    {
        JsonElement dump = DumpRun.Json(_target.Id);

        JsonElement spinner = DumpRun.Thread(dump, "Spinner");
        Assert.Equal("running", spinner.GetProperty("state").GetString());
        Assert.Equal("BlockedTarget.Workload.Spin", DumpRun.Frames(spinner)[0]);
        Assert.Equal(JsonValueKind.Null, spinner.GetProperty("blockedOn").ValueKind);
        Assert.Equal(JsonValueKind.Null, spinner.GetProperty("request").ValueKind);
        Assert.True(spinner.GetProperty("os").GetInt32() > 0);
        Assert.True(spinner.GetProperty("managed").GetInt32() > 1);
    }

    [Fact]
    public void TheLockWaiterIsBlockedOnALockHeldByTheLockHolder()
    {
        JsonElement dump = DumpRun.Json(_target.Id);

        JsonElement holder = DumpRun.Thread(dump, "LockHolder");
        JsonElement waiter = DumpRun.Thread(dump, "LockWaiter");
        Assert.Equal("waiting", waiter.GetProperty("state").GetString());
        JsonElement blocked = waiter.GetProperty("blockedOn");
        Assert.Equal("lock", blocked.GetProperty("kind").GetString());
        Assert.StartsWith("System.Threading.Monitor.", blocked.GetProperty("frame").GetString());
        Assert.Equal(holder.GetProperty("managed").GetInt32(), blocked.GetProperty("owner").GetProperty("managed").GetInt32());
        Assert.Equal(holder.GetProperty("os").GetInt32(), blocked.GetProperty("owner").GetProperty("os").GetInt32());
        Assert.Contains("BlockedTarget.Workload.EnterLock", DumpRun.Frames(waiter));

        // The holder sleeps inside the lock: waiting, but blocked on nothing.
        Assert.Equal("waiting", holder.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, holder.GetProperty("blockedOn").ValueKind);
    }

    [Fact]
    public void TheTaskWaiterIsBlockedInSyncOverAsyncAtTaskWait()
    {
        JsonElement dump = DumpRun.Json(_target.Id);

        JsonElement waiter = DumpRun.Thread(dump, "TaskWaiter");
        Assert.Equal("waiting", waiter.GetProperty("state").GetString());
        JsonElement blocked = waiter.GetProperty("blockedOn");
        Assert.Equal("sync-over-async", blocked.GetProperty("kind").GetString());
        Assert.Equal("System.Threading.Tasks.Task.Wait", blocked.GetProperty("frame").GetString());
        Assert.Equal(JsonValueKind.Null, blocked.GetProperty("owner").ValueKind);
        Assert.Contains("BlockedTarget.Workload.WaitForever", DumpRun.Frames(waiter));
    }

    [Fact]
    public void TheDumpSaysHowLongTheTargetWasPausedAndSummarizes()
    {
        JsonElement dump = DumpRun.Json(_target.Id);

        double paused = dump.GetProperty("pausedMs").GetDouble();
        Assert.InRange(paused, 0.01, 30_000); // milliseconds on a quiet machine (docs/cli-dump.md); a saturated one stretches the stop
        Assert.Equal(_target.Id, dump.GetProperty("pid").GetInt32());
        Assert.Matches(@"^\d+\.\d+", dump.GetProperty("runtime").GetString());
        Assert.Matches(@"^\d+ threads, [1-9]\d* running, 1 blocked in sync-over-async, 1 blocked on a lock$", dump.GetProperty("summary").GetString());

        // The target runs on after the dump: the spinner is still spinning.
        Assert.False(_target.Process.HasExited);
        JsonElement again = DumpRun.Json(_target.Id);
        Assert.Equal("running", DumpRun.Thread(again, "Spinner").GetProperty("state").GetString());
    }

    [Fact]
    public void TheTextDumpOfTheRealExecutableShowsSummaryPauseAndBlockedThreads()
    {
        var (exit, stdout, stderr) = DumpRun.Executable([], "dump", "-p", _target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        string[] lines = stdout.Split('\n');
        Assert.Matches(@"^\d+ threads, [1-9]\d* running, 1 blocked in sync-over-async, 1 blocked on a lock$", lines[0]);
        Assert.Matches(@$"^process {_target.Id} \(dotnet\), \.NET \d+\.\d+\.\d+, paused \d+\.\d ms$", lines[1]);
        Assert.Matches(@"thread \d+ \(os \d+\) ""Spinner"" running\n    BlockedTarget\.Workload\.Spin in \S+Program\.cs:line \d+\n", stdout);
        Assert.Matches(@"thread \d+ \(os \d+\) ""LockWaiter"" waiting, blocked on a lock held by thread \d+ \(os \d+\) at System\.Threading\.Monitor\.", stdout);
        Assert.Matches(@"""TaskWaiter"" waiting, blocked in sync-over-async at System\.Threading\.Tasks\.Task\.Wait\n", stdout);
    }
}

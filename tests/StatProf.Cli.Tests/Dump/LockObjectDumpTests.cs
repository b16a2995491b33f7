using System.Text.Json;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// <c>statprof dump</c> on a thread blocked entering a .NET 9+ <c>System.Threading.Lock</c> (the
/// <c>lock</c> statement on a Lock object): blocked on a lock, and the owner is the holding thread,
/// as for a monitor.
/// </summary>
[Collection(DumpRun.Collection)]
public sealed class LockObjectDumpTests : IDisposable
{
    private readonly TargetProcess _target = TargetProcess.Start("BlockedTarget", "600", "0", "lock-object");

    public void Dispose() => _target.Dispose();

    [Fact]
    public void TheLockObjectWaiterIsBlockedOnALockHeldByTheLockObjectHolder()
    {
        JsonElement dump = DumpRun.Json(_target.Id);

        JsonElement holder = DumpRun.Thread(dump, "LockObjHolder");
        JsonElement waiter = DumpRun.Thread(dump, "LockObjWaiter");
        Assert.Equal("waiting", waiter.GetProperty("state").GetString());
        JsonElement blocked = waiter.GetProperty("blockedOn");
        Assert.Equal("lock", blocked.GetProperty("kind").GetString());
        Assert.StartsWith("System.Threading.Lock.", blocked.GetProperty("frame").GetString());
        Assert.Contains("BlockedTarget.Workload.EnterLockObject", DumpRun.Frames(waiter));
        Assert.Equal(JsonValueKind.Object, blocked.GetProperty("owner").ValueKind);
        Assert.Equal(holder.GetProperty("os").GetInt32(), blocked.GetProperty("owner").GetProperty("os").GetInt32());
        Assert.Equal(holder.GetProperty("managed").GetInt32(), blocked.GetProperty("owner").GetProperty("managed").GetInt32());

        // The monitor pair of the same target keeps its own owner: the two locks are not confused.
        JsonElement monitorWaiter = DumpRun.Thread(dump, "LockWaiter");
        Assert.Equal(
            DumpRun.Thread(dump, "LockHolder").GetProperty("os").GetInt32(),
            monitorWaiter.GetProperty("blockedOn").GetProperty("owner").GetProperty("os").GetInt32());
    }

    [Fact]
    public void TheTextDumpNamesTheLockObjectOwner()
    {
        var (exit, stdout, stderr) = DumpRun.InProcess(new StatProf.Cli.Commands.DumpSettings { ProcessId = _target.Id });

        Assert.True(exit == 0, stderr);
        Assert.Matches(@"thread \d+ \(os \d+\) ""LockObjWaiter"" waiting, blocked on a lock held by thread \d+ \(os \d+\) at System\.Threading\.Lock\.", stdout);
    }
}

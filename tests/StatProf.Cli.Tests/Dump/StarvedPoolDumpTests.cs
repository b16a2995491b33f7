using System.Text.Json;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// <c>statprof dump</c> on tests/Targets/BlockedTarget with 12 thread-pool work items blocked in
/// Task.Wait forever: the summary calls thread-pool starvation likely.
/// </summary>
[Collection(DumpRun.Collection)]
public sealed class StarvedPoolDumpTests : IDisposable
{
    private readonly TargetProcess _target = TargetProcess.Start("BlockedTarget", "600", "12");

    public void Dispose() => _target.Dispose();

    [Fact]
    public void BlockedPoolThreadsMakeTheSummarySayStarvationLikely()
    {
        JsonElement dump = DumpRun.Json(_target.Id);

        string summary = dump.GetProperty("summary").GetString()!;
        Assert.Matches(@"^\d+ threads, [1-9]\d* running, 13 blocked in sync-over-async, 1 blocked on a lock: thread-pool starvation likely \(12 of 1[2-9] pool threads blocked\)$", summary);
        var pool = dump.GetProperty("threads").EnumerateArray()
            .Where(t => t.GetProperty("blockedOn").ValueKind == JsonValueKind.Object
                && DumpRun.Frames(t).Contains("BlockedTarget.Workload.WaitForever")
                && t.GetProperty("name").GetString() != "TaskWaiter")
            .ToList();
        Assert.Equal(12, pool.Count);
        Assert.All(pool, t => Assert.Equal("System.Threading.Tasks.Task.Wait", t.GetProperty("blockedOn").GetProperty("frame").GetString()));
    }

    [Fact]
    public void WithoutBlockedPoolThreadsTheSummaryDoesNotSayStarvation()
    {
        using var calm = TargetProcess.Start("BlockedTarget");

        JsonElement dump = DumpRun.Json(calm.Id);

        Assert.DoesNotContain("starvation", dump.GetProperty("summary").GetString());
    }
}

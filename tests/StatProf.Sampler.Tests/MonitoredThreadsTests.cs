namespace StatProf.Sampler.Tests;

public sealed class MonitoredThreadsTests
{
    [Fact]
    public void ThreadStaysMonitoredUntilEveryEnterIsExited()
    {
        var threads = new MonitoredThreads();
        using (threads.EnterCurrentThread())
        {
            using (threads.EnterCurrentThread())
            {
                Assert.True(threads.TryGet(OsThread.CurrentId, out _));
            }

            Assert.True(threads.TryGet(OsThread.CurrentId, out int managed));
            Assert.Equal(Environment.CurrentManagedThreadId, managed);
        }

        Assert.False(threads.TryGet(OsThread.CurrentId, out _));
        Assert.Equal(0, threads.Count);
    }

    [Fact]
    public void OsThreadIdsDifferBetweenThreadsAndAreStablePerThread()
    {
        int mine = OsThread.CurrentId;
        int other = 0;
        var t = new Thread(() => other = OsThread.CurrentId);
        t.Start();
        t.Join();

        Assert.NotEqual(0, mine);
        Assert.NotEqual(mine, other);
        Assert.Equal(mine, OsThread.CurrentId);
    }

    [Fact]
    public void DisposingADefaultScopeIsHarmless()
    {
        var threads = new MonitoredThreads();
        default(MonitoredThreads.Scope).Dispose();
        Assert.Equal(0, threads.Count);
    }

    [Fact]
    public void WasMonitoredAtAnswersForTheInstantNotForNow()
    {
        var threads = new MonitoredThreads();
        long before = System.Diagnostics.Stopwatch.GetTimestamp();
        long inside;
        using (threads.EnterCurrentThread())
        {
            inside = System.Diagnostics.Stopwatch.GetTimestamp();
            Assert.Equal(1, threads.Count);
        }

        long after = System.Diagnostics.Stopwatch.GetTimestamp();
        int me = OsThread.CurrentId;

        Assert.False(threads.WasMonitoredAt(me, before, out _, out _));
        Assert.True(threads.WasMonitoredAt(me, inside, out int managed, out _));
        Assert.Equal(Environment.CurrentManagedThreadId, managed);
        Assert.False(threads.WasMonitoredAt(me, after, out _, out _));
        Assert.Equal(0, threads.Count);
    }

    [Fact]
    public void OnlyTheLastSixtyFourIntervalsAreRemembered()
    {
        var threads = new MonitoredThreads();
        var insides = new List<long>();
        for (int i = 0; i < 66; i++)
        {
            using (threads.EnterCurrentThread())
            {
                insides.Add(System.Diagnostics.Stopwatch.GetTimestamp());
            }
        }

        int me = OsThread.CurrentId;
        Assert.False(threads.WasMonitoredAt(me, insides[0], out _, out _));
        Assert.False(threads.WasMonitoredAt(me, insides[1], out _, out _));
        Assert.All(insides.Skip(2), t => Assert.True(threads.WasMonitoredAt(me, t, out _, out _)));
    }

    [Fact]
    public void NestedRequestsAreAttributedToTheInnermostAndTheOuterResumes()
    {
        var threads = new MonitoredThreads();
        int me = OsThread.CurrentId;
        threads.EnterCurrentThread(1, 100);
        threads.EnterCurrentThread(2, 200);
        threads.ExitCurrentThread(300);
        threads.ExitCurrentThread(400);

        Assert.False(threads.WasMonitoredAt(me, 50, out _, out _));
        Assert.True(threads.WasMonitoredAt(me, 150, out _, out long r1));
        Assert.True(threads.WasMonitoredAt(me, 250, out _, out long r2));
        Assert.True(threads.WasMonitoredAt(me, 350, out _, out long r3));
        Assert.False(threads.WasMonitoredAt(me, 450, out _, out _));
        Assert.Equal((1L, 2L, 1L), (r1, r2, r3));
        Assert.Equal(0, threads.Count);
    }
}

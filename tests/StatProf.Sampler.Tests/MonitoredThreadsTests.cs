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
    public void ExitOfAThreadNeverEnteredIsHarmless()
    {
        var threads = new MonitoredThreads();
        threads.Exit(123456);
        Assert.Equal(0, threads.Count);
    }
}

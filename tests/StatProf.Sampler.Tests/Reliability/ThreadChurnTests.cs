using System.Diagnostics;

namespace StatProf.Sampler.Tests.Reliability;

/// <summary>
/// Threads that come and go must not leave state behind: the soak showed the registry keeping one
/// request state per thread that ever began a request (fixed: states of ended threads go back to the pool).
/// </summary>
public sealed class ThreadChurnTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-churn-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static void RunRequestsOnNewThreads(LongRequestLogger logger, int threads)
    {
        for (int i = 0; i < threads; i++)
        {
            var thread = new Thread(() =>
            {
                using (logger.BeginRequest("GET /churn", "http"))
                {
                    Thread.SpinWait(100);
                }
            });
            thread.Start();
            thread.Join();
        }
    }

    [Fact]
    public void StatesOfEndedThreadsAreReusedSoThreadChurnDoesNotGrowTheRegistry()
    {
        using var logger = new LongRequestLogger(new LongRequestLoggerOptions { Directory = _directory });

        RunRequestsOnNewThreads(logger, 200);
        int afterFirst = logger.RegisteredStates;
        int threadsAfterFirst = logger.KnownThreads;
        Thread.Sleep(TimeSpan.FromSeconds(2.5)); // the watchdog reclaims about once a second
        RunRequestsOnNewThreads(logger, 200);
        Thread.Sleep(TimeSpan.FromSeconds(2.5));
        RunRequestsOnNewThreads(logger, 200);
        int afterThird = logger.RegisteredStates;
        Thread.Sleep(TimeSpan.FromSeconds(7.5)); // ended threads are forgotten 5 s after a pass first saw them ended
        int threadsAtEnd = logger.KnownThreads;

        Assert.True(afterFirst >= 100, $"{afterFirst} states after 200 threads"); // each thread kept one (the array doubles: 64, 128, 256)
        // Without reuse: 600. With it: the first 200, plus the threads that ended since the last reclaim.
        Assert.True(afterThird <= afterFirst + 50, $"the registry grew from {afterFirst} to {afterThird} states over 400 more threads");
        Assert.True(threadsAfterFirst >= 150, $"{threadsAfterFirst} threads known after 200 (those pruned too soon would drop their late samples)");
        Assert.True(threadsAtEnd <= 5, $"{threadsAtEnd} ended threads still known");
    }
}

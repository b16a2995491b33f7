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

    /// <summary>
    /// Waits for two reclaim passes (at most 30 s): the second began after the threads that ended so far had ended.
    /// Fixed sleeps raced the watchdog when a saturated machine descheduled it for seconds.
    /// </summary>
    private static void WaitForReclaim(LongRequestLogger logger)
    {
        int target = logger.ReclaimPasses + 2;
        Records.RecordFiles.WaitUntil(() => logger.ReclaimPasses >= target, "the watchdog made two reclaim passes", seconds: 30);
    }

    [Fact]
    public void StatesOfEndedThreadsAreReusedSoThreadChurnDoesNotGrowTheRegistry()
    {
        using var logger = new LongRequestLogger(new LongRequestLoggerOptions { Directory = _directory });

        RunRequestsOnNewThreads(logger, 200);
        int afterFirst = logger.RegisteredStates;
        int threadsAfterFirst = logger.KnownThreads;
        WaitForReclaim(logger); // the watchdog reclaims about once a second
        RunRequestsOnNewThreads(logger, 200);
        WaitForReclaim(logger);
        RunRequestsOnNewThreads(logger, 200);
        int afterThird = logger.RegisteredStates;

        // Ended threads are forgotten 5 s after a pass first saw them ended (6-7 s here on a quiet machine).
        var forgetting = Stopwatch.StartNew();
        while (logger.KnownThreads > 5 && forgetting.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(100);
        }

        int threadsAtEnd = logger.KnownThreads;
        Assert.True(forgetting.Elapsed >= TimeSpan.FromSeconds(4), $"ended threads were forgotten after {forgetting.Elapsed.TotalSeconds:0.0} s, before the 5 s grace");

        // Without reuse every one of the 600 threads keeps a state: 600. With it: at most the threads
        // that ended since the last reclaim (about a second's worth) come on top of those reused.
        Assert.True(afterThird <= 260, $"the registry holds {afterThird} states after 600 threads ({afterFirst} after the first 200)");

        // Ended threads are forgotten, but not at once: their late samples still need them.
        Assert.True(threadsAfterFirst >= 50, $"{threadsAfterFirst} threads known just after 200 ended");
        Assert.True(threadsAtEnd <= 5, $"{threadsAtEnd} ended threads still known");
    }
}

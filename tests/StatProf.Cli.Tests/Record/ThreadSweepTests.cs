using StatProf.Cli.Record;

namespace StatProf.Cli.Tests.Record;

/// <summary>
/// When the reader takes a thread as ended: absent from a second of the target's ticks, but not
/// because the ticks themselves paused (a saturated machine descheduling the target's sampler made
/// every thread "end" and come back as thread-N-2).
/// </summary>
public sealed class ThreadSweepTests
{
    private static readonly DateTime Start = new(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Feeds ticks every millisecond from <paramref name="fromMs"/> to <paramref name="toMs"/>; returns the sweeps' cut-offs.</summary>
    private static List<DateTime> Ticks(ThreadSweep sweep, int fromMs, int toMs)
    {
        var cutoffs = new List<DateTime>();
        for (int ms = fromMs; ms <= toMs; ms++)
        {
            if (sweep.OnSample(Start.AddMilliseconds(ms)) is { } cutoff)
            {
                cutoffs.Add(cutoff);
            }
        }

        return cutoffs;
    }

    [Fact]
    public void WhileTicksGoOnAThreadUnseenForASecondHasEnded()
    {
        var sweep = new ThreadSweep(TimeSpan.FromSeconds(1));

        List<DateTime> cutoffs = Ticks(sweep, 0, 3000);

        // A sweep every 250 ms, each ending the threads last seen more than a second before it.
        Assert.InRange(cutoffs.Count, 12, 13);
        Assert.All(cutoffs.Skip(1).Zip(cutoffs), pair => Assert.Equal(TimeSpan.FromMilliseconds(250), pair.First - pair.Second));
        Assert.Equal(Start.AddMilliseconds(3000 - 1000), cutoffs[^1]);
    }

    [Fact]
    public void APauseOfTheTicksEndsNoThreadUntilASecondOfTicksFollowedIt()
    {
        var sweep = new ThreadSweep(TimeSpan.FromSeconds(1));
        Ticks(sweep, 0, 1000);

        // 2 s without any tick, then ticks again: a thread last seen just before the pause is not
        // ended by the first sweeps after it (cut-offs before the pause's end), only once a second
        // of ticks has gone by without it.
        List<DateTime> after = Ticks(sweep, 3000, 5000);

        Assert.NotEmpty(after);
        Assert.All(after, cutoff => Assert.True(cutoff >= Start.AddMilliseconds(3000), $"a sweep {cutoff:HH:mm:ss.fff} reached back before the ticks resumed"));
        Assert.Equal(Start.AddMilliseconds(3000), after[0]);
    }

    [Fact]
    public void SamplesOutOfOrderAreNotAPause()
    {
        var sweep = new ThreadSweep(TimeSpan.FromSeconds(1));
        Ticks(sweep, 0, 2000);

        // A thread's sample 0.5 s older than the latest (the runtime flushes threads' buffers apart):
        // the ticks did not pause, sweeps go on as before.
        sweep.OnSample(Start.AddMilliseconds(1500));
        List<DateTime> after = Ticks(sweep, 2001, 2600);

        Assert.Contains(Start.AddMilliseconds(2250 - 1000), after);
    }
}

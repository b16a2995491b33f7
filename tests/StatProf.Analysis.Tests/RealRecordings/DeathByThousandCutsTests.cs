using System.Diagnostics;
using System.Runtime.CompilerServices;
using StatProf.Sampler;

namespace StatProf.Analysis.Tests.RealRecordings;

/// <summary>
/// The talk's first case study, recorded for real: a request whose time is split over three small
/// helpers called from one loop. No helper dominates self time, but the hot/cold boundary between
/// consecutive dumps stays on the loop: the loop is the top optimization spot.
/// </summary>
public sealed class DeathByThousandCutsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-cuts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double PriceAllLines(TimeSpan duration)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        double total = 0;
        while (Stopwatch.GetTimestamp() < end)
        {
            total += LookUpPrice(total) + ApplyDiscount(total) + AddTax(total);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double LookUpPrice(double x) => Burn(x, 2_000);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double ApplyDiscount(double x) => Burn(x, 2_000);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double AddTax(double x) => Burn(x, 2_000);

    private static double Burn(double x, int n)
    {
        for (int i = 0; i < n; i++)
        {
            x = Math.Sqrt(x + i);
        }

        return x;
    }

    [Fact]
    public void TheLoopIsTheTopSpotWhileNoLeafHelperDominatesSelfTime()
    {
        var options = new LongRequestLoggerOptions
        {
            Threshold = TimeSpan.FromMilliseconds(200),
            Interval = TimeSpan.FromMilliseconds(20),
            Continuous = true,
            Directory = _directory,
        };
        using (var logger = new LongRequestLogger(options))
        {
            var clock = Stopwatch.StartNew();
            while (!logger.IsSampling && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(20);
            }

            Assert.True(logger.IsSampling);
            for (int request = 0; request < 3; request++)
            {
                using (logger.BeginRequest($"GET /orders/{request}", "http"))
                {
                    PriceAllLines(TimeSpan.FromSeconds(1.5));
                }
            }
        }

        RecordSet set = RecordReader.ReadFiles(Directory.GetFiles(_directory, "*.jsonl"));
        Profile profile = Analyzer.Analyze(set);

        Assert.Equal(3, set.Requests.Count);
        Assert.True(profile.Samples >= 60, $"{profile.Samples} dumps");
        Spot top = profile.Spots[0];
        Assert.Contains(nameof(PriceAllLines), top.Frame);
        Assert.Equal(3, top.Requests);
        foreach (string helper in (string[])[nameof(LookUpPrice), nameof(ApplyDiscount), nameof(AddTax)])
        {
            FrameStat? frame = profile.Frames.FirstOrDefault(f => f.Name.Contains(helper, StringComparison.Ordinal));
            Assert.NotNull(frame);
            Assert.True(frame.SelfShare.Value < 0.5, $"{helper} has {frame.SelfShare.Value:P0} of self time");
            Assert.True(profile.FindSpot(frame.Name) is not { } spot || spot.Seconds < top.Seconds / 2, $"{helper} rivals the loop as a spot");
        }
    }
}

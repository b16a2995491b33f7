using System.Diagnostics;
using StatProf.Sampler.Internal;
using Xunit;

namespace StatProf.Sampler.Tests.Internal;

public sealed class CoarseClockTests
{
    [Fact]
    public void Reads_the_stopwatch_clock_within_the_tick_counts_granularity()
    {
        CoarseClock.Calibrate();
        var gaps = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            long before = Stopwatch.GetTimestamp();
            long coarse = CoarseClock.Now;
            long after = Stopwatch.GetTimestamp();

            // Same clock, same unit: a coarse reading lies within a few tick-count periods of the
            // precise instants around it (a unit or offset mistake would be off by seconds or more).
            gaps.Add(Math.Max(before - coarse, coarse - after) * 1000.0 / Stopwatch.Frequency);
            Thread.Sleep(i % 7);
        }

        gaps.Sort();
        // Not tighter: the offset is the largest lag of the tick count in the last 64 calibrations,
        // and on a loaded VM one calibration saw it lag by 24 ms (CI, 2026-11-22), which the readings
        // then carry for about a second.
        Assert.True(gaps[gaps.Count / 2] < 100, $"median gap {gaps[gaps.Count / 2]:F2} ms");
        Assert.True(gaps[^1] < 100, $"largest gap {gaps[^1]:F2} ms");
    }
}

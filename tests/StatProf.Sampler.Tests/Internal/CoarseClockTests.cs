using System.Diagnostics;
using StatProf.Sampler.Internal;
using Xunit;

namespace StatProf.Sampler.Tests.Internal;

public sealed class CoarseClockTests
{
    [Fact]
    public void Reads_the_stopwatch_clock_within_the_tick_counts_granularity()
    {
        // A window of fresh calibrations (other tests' loggers calibrate too, on a loaded machine).
        for (int i = 0; i < 64; i++)
        {
            CoarseClock.Calibrate();
            Thread.Sleep(1);
        }

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
        // Not tighter: on a loaded VM the tick count lags by whole stalls of the virtual CPU (24, 150
        // and 470 ms in CI rehearsals, 2026-11-22), and the offset, the largest lag of the last 64
        // calibrations, carries such a lag into the readings that follow.
        Assert.True(gaps[gaps.Count / 2] < 1000, $"median gap {gaps[gaps.Count / 2]:F2} ms");
        Assert.True(gaps[^1] < 5000, $"largest gap {gaps[^1]:F2} ms"); // one stall past a second must not fail it; a unit mistake is off by far more
    }
}

using System.Diagnostics;

namespace StatProf.Sampler.Internal;

/// <summary>
/// Maps the <see cref="Stopwatch"/> clock (what request scopes and the runtime's events are stamped
/// with, cheap to read) to UTC. The anchor is taken once and refreshed by <see cref="Resync"/> from
/// background threads, so hot paths never read the wall clock.
/// </summary>
internal static class WallClock
{
    private static readonly double TicksPerStopwatchTick = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;
    private static Anchor s_anchor = Anchor.Now();

    /// <summary>UTC ticks (<see cref="DateTime.Ticks"/>) of a Stopwatch timestamp.</summary>
    public static long ToUtcTicks(long stopwatchTimestamp)
    {
        Anchor anchor = Volatile.Read(ref s_anchor);
        return anchor.UtcTicks + (long)((stopwatchTimestamp - anchor.Stopwatch) * TicksPerStopwatchTick);
    }

    /// <summary>Takes a new anchor (the wall clock may have been adjusted since).</summary>
    public static void Resync() => Volatile.Write(ref s_anchor, Anchor.Now());

    private sealed record Anchor(long UtcTicks, long Stopwatch)
    {
        public static Anchor Now() => new(DateTime.UtcNow.Ticks, System.Diagnostics.Stopwatch.GetTimestamp());
    }
}

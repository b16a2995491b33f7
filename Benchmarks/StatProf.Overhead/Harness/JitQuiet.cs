using System.Diagnostics;

namespace StatProf.Overhead.Harness;

/// <summary>
/// The end of a child's warm-up: the measured window should show a profiler's steady state, and a
/// sampling session's first seconds are not that: the JIT recompiles the session's reader code at
/// tier 1 on its background thread (<c>.NET Tiered Compilation</c>) for several seconds (measured:
/// 20–30 ms of CPU per second still 6–10 s after the start at a 10 or 100 ms tick, none after 20 s).
/// This waits until that thread has used at most one clock tick (10 ms) of CPU in the last
/// <see cref="Quiet"/>, read from <c>/proc/PID/task</c> (a process without a profiler shows a tick
/// now and then too), and at least the plan's minimum; at most <see cref="Longest"/>.
/// <para>For the shop it also waits until the thread pool's worker count held still over the same
/// span. A session's start grows the pool (measured: 10 workers against 6 without a profiler, in the
/// seconds after the load began; the pool's hill climbing while the reader warms up on two cores), and
/// the runtime walks every thread at each tick, so a window on the grown pool charges the start to the
/// steady state. The shop children's idle workers retire after 3 s (<see cref="Driver"/>) instead of
/// the runtime's 20 s, for every configuration alike, so that this wait stays short.</para>
/// </summary>
internal static class JitQuiet
{
    /// <summary>The span over which the tiering thread may use at most one tick.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    /// <summary>The longest warm-up: past it the window opens anyway (the record says how long it was).</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(40);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits as described (only <paramref name="minimum"/> when not <paramref name="untilQuiet"/>); returns how long the warm-up lasted.</summary>
    public static async Task<TimeSpan> WaitAsync(int pid, TimeSpan minimum, bool untilQuiet, bool poolSteady = false)
    {
        var clock = Stopwatch.StartNew();
        if (!untilQuiet)
        {
            await Task.Delay(minimum);
            return clock.Elapsed;
        }

        var readings = new Queue<(TimeSpan At, long Ticks, int Workers)>();
        readings.Enqueue((TimeSpan.Zero, TieringTicks(pid, out int workers), workers));
        while (clock.Elapsed < Longest)
        {
            await Task.Delay(Poll);
            long now = TieringTicks(pid, out workers);
            readings.Enqueue((clock.Elapsed, now, workers));
            while (clock.Elapsed - readings.Peek().At > Quiet)
            {
                readings.Dequeue();
            }

            (TimeSpan oldestAt, long oldest, _) = readings.Peek();
            bool poolStill = !poolSteady || readings.All(r => r.Workers == workers);
            if (clock.Elapsed >= minimum && clock.Elapsed - oldestAt >= Quiet - Poll && now - oldest <= 1 && poolStill)
            {
                break;
            }
        }

        return clock.Elapsed;
    }

    private static long TieringTicks(int pid, out int poolWorkers)
    {
        Dictionary<int, (string Name, long Ticks)> threads = ThreadCpu.Snapshot(pid);
        poolWorkers = ThreadCpu.PoolWorkers(threads);
        return threads.Values.Where(t => ThreadCpu.KindOf(t.Name) == "jit").Sum(t => t.Ticks);
    }
}

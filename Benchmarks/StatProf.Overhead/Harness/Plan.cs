namespace StatProf.Overhead.Harness;

/// <summary>How much the harness runs: repetitions, run lengths and thread counts of a mode.</summary>
/// <param name="Name">smoke, quick or full.</param>
/// <param name="Repetitions">Rounds of the CPU and shop workloads; each round runs every configuration once, in a rotated order.</param>
/// <param name="CpuSeconds">Measured seconds of one CPU-bound run.</param>
/// <param name="WarmUpSeconds">
/// Seconds of work after the go before the measured window (CPU and shop). A sampling session's
/// first seconds cost more than its steady state (the JIT tiers up the session's reader code): the
/// CPU workload measures this window too and reports it apart as the start cost.
/// </param>
/// <param name="ShopSeconds">Measured seconds of one shop run.</param>
/// <param name="PauseThreads">Thread counts of the pause curve.</param>
/// <param name="PauseProfilers">Configurations of the pause curve.</param>
/// <param name="PauseRepetitions">Rounds of the pause curve.</param>
/// <param name="PauseSeconds">Measured seconds of one pause run.</param>
internal sealed record Plan(
    string Name,
    int Repetitions,
    double CpuSeconds,
    double WarmUpSeconds,
    double ShopSeconds,
    int[] PauseThreads,
    Profiler[] PauseProfilers,
    int PauseRepetitions,
    double PauseSeconds)
{
    /// <summary>Every configuration of the CPU and shop workloads, in their first round's order.</summary>
    public static readonly Profiler[] Profilers = Enum.GetValues<Profiler>();

    /// <summary>The configurations a run has when <c>--profilers</c> is not given: all but the 10 ms peer.</summary>
    public static readonly Profiler[] DefaultProfilers = [.. Profilers.Where(p => p != Profiler.DotnetTrace10)];

    /// <summary>
    /// Whether the warm-up also lasts until the JIT's tiering is quiet (<see cref="JitQuiet"/>; the
    /// full mode), or exactly <see cref="WarmUpSeconds"/> (the short modes, which must stay short).
    /// </summary>
    public bool WarmUntilJitQuiet { get; init; }

    /// <summary>
    /// The parts this run runs: cpu, shop, shop-rate, pause (<c>--workloads</c>). The closed-loop
    /// shop is not in the default: its figures moved by 20–60 points from round to round (a saturated
    /// server batches more per wake-up when slower); <c>--workloads shop</c> runs it.
    /// </summary>
    public string[] Workloads { get; init; } = ["cpu", "shop-rate", "pause"];

    /// <summary>All the parts <c>--workloads</c> knows.</summary>
    public static readonly string[] AllWorkloads = ["cpu", "shop", "shop-rate", "pause"];

    /// <summary>The configurations this run's cpu and shop parts run (<c>--profilers</c>; none always).</summary>
    public Profiler[] Configurations { get; init; } = DefaultProfilers;

    /// <summary>CI's smoke test: every configuration once, runs of about a second (≈ 1 min).</summary>
    public static readonly Plan Smoke = new("smoke", 1, 1, 0.5, 1.5, [8, 64], [Profiler.None, Profiler.Tick1], 1, 1);

    /// <summary>Under 2 minutes: two rounds of 1 s runs after 0.5 s, two thread counts.</summary>
    public static readonly Plan Quick = new("quick", 2, 1, 0.5, 1, [8, 256], [Profiler.None, Profiler.Tick1], 1, 1);

    /// <summary>
    /// Under 15 minutes: three rounds of 4 s runs after a warm-up of at least 5 s (until the JIT is
    /// quiet), the whole pause curve twice.
    /// (The first runs of docs/overhead.md had 1 s of warm-up, which mixed the session's start into
    /// its steady state.)
    /// </summary>
    public static readonly Plan Full = new("full", 3, 4, 5, 4, [8, 64, 256, 1024], [Profiler.None, Profiler.Tick1, Profiler.Tick10], 2, 4) { WarmUntilJitQuiet = true };

    /// <summary>The configurations rotated by <paramref name="round"/>: each one runs early in some rounds and late in others.</summary>
    public static T[] Rotated<T>(T[] items, int round) =>
        [.. items.Skip(round % items.Length), .. items.Take(round % items.Length)];
}

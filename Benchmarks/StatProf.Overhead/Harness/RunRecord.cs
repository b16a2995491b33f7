namespace StatProf.Overhead.Harness;

/// <summary>One child run: what it ran and what it measured.</summary>
/// <param name="Workload">cpu, shop or pause.</param>
/// <param name="Profiler">The configuration.</param>
/// <param name="Round">The round (repetition), from 0.</param>
/// <param name="Position">Its position in the round's rotated order.</param>
/// <param name="Threads">Threads of the pause workload (the process's own count is in <see cref="ProcessThreads"/>); 0 for the others.</param>
/// <param name="Throughput">Operations/s (cpu, pause: the one worker) or requests/s (shop).</param>
/// <param name="LatencyP50Ms">Median latency of an operation or request.</param>
/// <param name="LatencyP99Ms">99th percentile latency.</param>
/// <param name="CpuMsPerOp">CPU time of the workload process per operation or request, in ms (cpu, shop).</param>
/// <param name="PeerCpuMsPerOp">CPU time of the dotnet-trace process per operation or request (0 for the other configurations).</param>
/// <param name="ProcessThreads">Threads of the child process at the end of the run (cpu, pause).</param>
/// <param name="GapsPerSecond">Pause workload: gaps ≥ 20 µs in the probe's progress per second.</param>
/// <param name="GapP50Us">Median gap.</param>
/// <param name="GapP99Us">99th percentile gap.</param>
/// <param name="GapMaxUs">Longest gap.</param>
/// <param name="PausedFraction">Sum of the gaps over the run's length.</param>
/// <param name="StatProfSampling">Whether an embedded StatProf had a session open at the end.</param>
/// <param name="StatProfTicks">Ticks StatProf's sampler saw.</param>
/// <param name="StatProfActivations">Sessions StatProf opened for slow requests (0 expected: none is slow).</param>
/// <param name="TraceBytes">Size of dotnet-trace's .nettrace (0 for the other configurations).</param>
/// <param name="Errors">Failed requests (shop).</param>
/// <param name="LoadAverage">The machine's 1-minute load average when the run started.</param>
internal sealed record RunRecord(
    string Workload,
    Profiler Profiler,
    int Round,
    int Position,
    int Threads,
    double Throughput,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double CpuMsPerOp,
    double PeerCpuMsPerOp,
    int ProcessThreads,
    double GapsPerSecond,
    double GapP50Us,
    double GapP99Us,
    double GapMaxUs,
    double PausedFraction,
    bool StatProfSampling,
    long StatProfTicks,
    long StatProfActivations,
    long TraceBytes,
    int Errors,
    double LoadAverage)
{
    /// <summary>
    /// CPU time per operation over the warm-up before the measured window (cpu workload; the peer's
    /// process included): what the first seconds of a session cost. 0 where not measured.
    /// </summary>
    public double WarmUpCpuMsPerOp { get; init; }

    /// <summary>Operations in the warm-up (cpu workload).</summary>
    public long WarmUpOperations { get; init; }

    /// <summary>How long the warm-up lasted: until the JIT's tiering thread was quiet (<see cref="JitQuiet"/>).</summary>
    public double WarmUpSeconds { get; init; }

    /// <summary>Pause workload: the runtime's non-GC stop-the-world pauses (its sampler's ticks) per second of the window.</summary>
    public double TickPausesPerSecond { get; init; }

    /// <summary>Median of those pauses, from the runtime's own suspend/restart events.</summary>
    public double TickPauseP50Us { get; init; }

    /// <summary>99th percentile of those pauses.</summary>
    public double TickPauseP99Us { get; init; }

    /// <summary>The longest of those pauses.</summary>
    public double TickPauseMaxUs { get; init; }

    /// <summary>Sum of those pauses over the window's length, in %.</summary>
    public double TickPausedPercent { get; init; }

    /// <summary>The child's CPU ms per second of the window by kind of thread (<see cref="ThreadCpu.Kinds"/>).</summary>
    public Dictionary<string, double>? ThreadCpuMsPerSecond { get; init; }

    /// <summary>Shop workloads: the thread pool's worker threads when the window closed (the runtime walks each at every tick).</summary>
    public int PoolThreads { get; init; }

    /// <summary>The child's garbage collections (gen 0 and up) per second: cpu, in the window; shop, from ready to stop.</summary>
    public double GcsPerSecond { get; init; }

    /// <summary>The child's allocations in MB per second, over the same span.</summary>
    public double AllocatedMbPerSecond { get; init; }
}

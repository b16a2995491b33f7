using Microsoft.Extensions.Logging;

namespace StatProf.Sampler;

/// <summary>
/// Settings of a <see cref="StackSampler"/>. They are validated and copied when the sampler is
/// created: changing this object afterwards has no effect on a sampler already built from it.
/// </summary>
public sealed class SamplerOptions
{
    /// <summary>Which threads' samples are kept. Default: <see cref="SamplingMode.MonitoredThreads"/>.</summary>
    public SamplingMode Mode { get; set; } = SamplingMode.MonitoredThreads;

    /// <summary>
    /// Number of samples the ring holds before its <see cref="OverflowMode"/> applies. Rounded up to
    /// a power of two; preallocated at construction (56 bytes a slot). Default: 65 536 (about 1 minute
    /// of 1 ms ticks for one thread, 3.7 MB).
    /// </summary>
    public int RingCapacity { get; set; } = 65_536;

    /// <summary>What happens when the ring is full. Default: <see cref="RingOverflowMode.DropOldest"/>.</summary>
    public RingOverflowMode OverflowMode { get; set; } = RingOverflowMode.DropOldest;

    /// <summary>
    /// Frames kept per stack. A deeper stack keeps its <c>MaxStackDepth</c> frames nearest the root,
    /// ends with a <c>[truncated]</c> frame and is counted in <see cref="SamplerCounters.TruncatedStacks"/>.
    /// Default: 512.
    /// </summary>
    public int MaxStackDepth { get; set; } = 512;

    /// <summary>
    /// Distinct stacks the stack table interns before it stops growing; further new stacks are
    /// recorded as the <c>[stack table full]</c> stack and counted. Bounds memory over hours.
    /// Default: 200 000.
    /// </summary>
    public int MaxDistinctStacks { get; set; } = 200_000;

    /// <summary>Size of the runtime's EventPipe buffer for the session, in MB. Default: 64.</summary>
    public int CircularBufferMegabytes { get; set; } = 64;

    /// <summary>
    /// How often the sampler thread trims the real-time TraceLog state (which otherwise grows without
    /// bound) and drops its caches keyed on TraceLog indexes. Default: 30 seconds.
    /// </summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="StackSampler.Start"/> waits for the session and the rundown that makes
    /// method names resolvable. Default: 15 seconds.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long <see cref="StackSampler.Stop"/> waits for the session to end before it abandons the
    /// reader (which then ends by itself). Default: 5 seconds.
    /// </summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Called, on a background thread, when sampling stops because of a fault (the reader failed,
    /// the session ended under it). Exceptions thrown by the callback are swallowed. Default: none.
    /// </summary>
    public Action<Exception>? OnFault { get; set; }

    /// <summary>
    /// Collect the runtime's IL-to-native maps so that frames carry an IL offset, which the record
    /// writer turns into a source file and line (docs/source-lines.md). Costs a second rundown at
    /// each session start and one map event per method jitted while sampling. Default: true.
    /// </summary>
    public bool SourceLines { get; set; } = true;

    /// <summary>Where the sampler reports its lifecycle and faults. Default: none.</summary>
    public ILogger? Logger { get; set; }

    internal SamplerOptions Validated()
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown sampling mode.");
        if (!Enum.IsDefined(OverflowMode)) throw new ArgumentOutOfRangeException(nameof(OverflowMode), OverflowMode, "Unknown overflow mode.");
        if (RingCapacity is < 2 or > (1 << 26)) throw new ArgumentOutOfRangeException(nameof(RingCapacity), RingCapacity, "Ring capacity must be between 2 and 67 108 864.");
        if (MaxStackDepth is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(MaxStackDepth), MaxStackDepth, "Stack depth must be between 1 and 10 000.");
        if (MaxDistinctStacks is < 16 or > 50_000_000) throw new ArgumentOutOfRangeException(nameof(MaxDistinctStacks), MaxDistinctStacks, "Distinct stacks must be between 16 and 50 000 000.");
        if (CircularBufferMegabytes is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(CircularBufferMegabytes), CircularBufferMegabytes, "Buffer size must be between 1 and 4096 MB.");
        if (TrimInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TrimInterval), TrimInterval, "Trim interval must be positive.");
        if (StartTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(StartTimeout), StartTimeout, "Start timeout must be positive.");
        if (StopTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(StopTimeout), StopTimeout, "Stop timeout must be positive.");
        return (SamplerOptions)MemberwiseClone();
    }
}

/// <summary>Which threads' samples a <see cref="StackSampler"/> keeps.</summary>
public enum SamplingMode
{
    /// <summary>Only threads entered in <see cref="StackSampler.MonitoredThreads"/>.</summary>
    MonitoredThreads,

    /// <summary>Every managed thread of the process (continuous mode).</summary>
    AllThreads,
}

/// <summary>What the sample ring does when it is full. Either way the loss is counted.</summary>
public enum RingOverflowMode
{
    /// <summary>Overwrite the oldest unread samples: the newest state is always there.</summary>
    DropOldest,

    /// <summary>Reject the new sample: what was already recorded is kept.</summary>
    DropNewest,
}

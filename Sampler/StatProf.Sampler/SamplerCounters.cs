namespace StatProf.Sampler;

/// <summary>A snapshot of a sampler's counters, cumulative over all its sessions.</summary>
public sealed record SamplerCounters
{
    /// <summary>Ticks of the runtime's sampler seen.</summary>
    public long Ticks { get; init; }

    /// <summary>Thread samples received from the runtime.</summary>
    public long SamplesSeen { get; init; }

    /// <summary>Thread samples written to the ring (monitored threads, or all in continuous mode).</summary>
    public long SamplesKept { get; init; }

    /// <summary>Thread samples of threads that were not monitored.</summary>
    public long SamplesFilteredOut { get; init; }

    /// <summary>Samples lost because the ring was full (see <see cref="RingOverflowMode"/>).</summary>
    public long DroppedByOverflow { get; init; }

    /// <summary>Events the runtime reported as lost (its buffer was full: the reader was too slow).</summary>
    public long LostByRuntime { get; init; }

    /// <summary>Stacks deeper than <see cref="SamplerOptions.MaxStackDepth"/>, kept truncated.</summary>
    public long TruncatedStacks { get; init; }

    /// <summary>New stacks not interned because <see cref="SamplerOptions.MaxDistinctStacks"/> was reached.</summary>
    public long StackTableFull { get; init; }

    /// <summary>Times the real-time TraceLog state was trimmed.</summary>
    public long Trims { get; init; }

    /// <summary>Sessions started.</summary>
    public long Sessions { get; init; }

    /// <summary>Faults that stopped sampling.</summary>
    public long Faults { get; init; }
}

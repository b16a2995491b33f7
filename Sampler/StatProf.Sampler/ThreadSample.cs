namespace StatProf.Sampler;

/// <summary>What a thread was doing when the runtime sampled it.</summary>
public enum ThreadActivity : byte
{
    /// <summary>The runtime did not say.</summary>
    Unknown = 0,

    /// <summary>Outside managed code: blocked, sleeping, waiting or in native code (the runtime's "external").</summary>
    Waiting = 1,

    /// <summary>Running managed code.</summary>
    Running = 2,
}

/// <summary>One thread seen at one tick of the runtime's sampler.</summary>
/// <param name="Tick">Sequence number of the tick within this sampler's life; samples of one tick share it.</param>
/// <param name="TimestampUtcTicks">When the thread was sampled, as <see cref="DateTime.Ticks"/> in UTC.</param>
/// <param name="Timestamp">When the thread was sampled, on the <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> clock.</param>
/// <param name="OsThreadId">The operating system's id of the thread.</param>
/// <param name="ManagedThreadId">The managed thread id where known (the thread was entered as monitored), else 0.</param>
/// <param name="RequestId">The monitored request the thread was running at that instant, else 0.</param>
/// <param name="Activity">Running or waiting.</param>
/// <param name="StackId">The interned stack; resolve it with <see cref="StackSampler.Stacks"/>.</param>
public readonly record struct ThreadSample(
    long Tick,
    long TimestampUtcTicks,
    long Timestamp,
    int OsThreadId,
    int ManagedThreadId,
    long RequestId,
    ThreadActivity Activity,
    int StackId)
{
    /// <summary>When the thread was sampled, in UTC.</summary>
    public DateTime TimestampUtc => new(TimestampUtcTicks, DateTimeKind.Utc);
}

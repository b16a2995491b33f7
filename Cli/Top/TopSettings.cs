namespace StatProf.Cli.Top;

/// <summary>The options of <c>statprof top</c>.</summary>
internal sealed class TopSettings
{
    /// <summary>The process to watch.</summary>
    public int? ProcessId { get; init; }

    /// <summary>One sample per thread is kept every this many milliseconds.</summary>
    public int IntervalMs { get; init; } = 10;

    /// <summary>Threads sampled for less than this are not listed.</summary>
    public double ThresholdMs { get; init; }

    /// <summary>Seconds between refreshes.</summary>
    public double RefreshSeconds { get; init; } = 1;

    /// <summary>Seconds of samples the tables cover.</summary>
    public double WindowSeconds { get; init; } = 10;

    /// <summary>Whether waiting samples count in the frames table.</summary>
    public bool Idle { get; init; }

    /// <summary>Plain-text snapshots even on a terminal.</summary>
    public bool NoInteractive { get; init; }

    /// <summary>One plain-text snapshot, then exit.</summary>
    public bool Once { get; init; }

    /// <summary>This many plain-text snapshots, then exit.</summary>
    public int? Iterations { get; init; }

    /// <summary>Rows of the frames table in plain text.</summary>
    public int FrameRows { get; init; } = 15;

    /// <summary>Rows of the threads table in plain text.</summary>
    public int ThreadRows { get; init; } = 20;
}

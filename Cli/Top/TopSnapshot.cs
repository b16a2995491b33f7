namespace StatProf.Cli.Top;

/// <summary>What one refresh of <c>statprof top</c> shows, analysed from the window.</summary>
/// <param name="Window">How far back the frames and boundaries look.</param>
/// <param name="FrameSamples">Samples behind the frames table (running ones only, unless --idle).</param>
/// <param name="Samples">Samples of all threads in the window.</param>
/// <param name="SamplesPerSecond">Thread samples the runtime sent per second since the last refresh.</param>
/// <param name="Frames">The frames, by self share descending.</param>
/// <param name="Threads">The live threads, busiest first.</param>
/// <param name="AnalysisTime">How long the analysis of the window took.</param>
internal sealed record TopSnapshot(
    TimeSpan Window,
    long FrameSamples,
    long Samples,
    double SamplesPerSecond,
    IReadOnlyList<TopFrame> Frames,
    IReadOnlyList<TopThread> Threads,
    TimeSpan AnalysisTime);

/// <summary>One row of the frames table.</summary>
/// <param name="Name">The frame, <c>Namespace.Type.Method(signature)</c>.</param>
/// <param name="SelfShare">Share of the samples with this frame as leaf.</param>
/// <param name="TotalShare">Share of the samples with this frame anywhere on the stack.</param>
/// <param name="Self">Samples with this frame as leaf.</param>
/// <param name="Total">Samples with this frame on the stack.</param>
internal sealed record TopFrame(string Name, double SelfShare, double TotalShare, long Self, long Total);

/// <summary>One row of the threads table.</summary>
/// <param name="OsId">The thread's OS id.</param>
/// <param name="Name">Its OS name (Linux: from <c>Thread.Name</c>, 15 characters at most).</param>
/// <param name="Seen">How long it has been sampled (since top started, at most).</param>
/// <param name="Running">Whether its last sample ran managed code.</param>
/// <param name="RunningShare">Share of its samples in the window that ran managed code.</param>
/// <param name="Leaf">The leaf frame of its last sample.</param>
/// <param name="Boundary">Its hot/cold boundary frame in the window (where its time goes), if it had two samples.</param>
internal sealed record TopThread(int OsId, string Name, TimeSpan Seen, bool Running, double RunningShare, string Leaf, string? Boundary);

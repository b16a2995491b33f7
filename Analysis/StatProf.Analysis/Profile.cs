namespace StatProf.Analysis;

/// <summary>
/// The analysis of a <see cref="RecordSet"/> (or of the requests an <see cref="AnalysisOptions"/>
/// selects): per-frame counts with confidence intervals, the ranked optimization spots, and a summary
/// of every request. Made by <see cref="Analyzer.Analyze"/>; read-only.
/// </summary>
public sealed class Profile
{
    private Dictionary<string, FrameStat>? _framesByName;
    private Dictionary<string, Spot>? _spotsByFrame;

    internal Profile(
        RecordSet set,
        AnalysisOptions options,
        StateCounts states,
        IReadOnlyList<FrameStat> frames,
        IReadOnlyList<Spot> spots,
        IReadOnlyList<RequestSummary> requests,
        BoundaryStats boundary)
    {
        Set = set;
        Options = options;
        States = states;
        Frames = frames;
        Spots = spots;
        Requests = requests;
        Boundary = boundary;
    }

    /// <summary>The set analysed.</summary>
    public RecordSet Set { get; }

    /// <summary>The options used.</summary>
    public AnalysisOptions Options { get; }

    /// <summary>Samples of the analysed requests.</summary>
    public long Samples => States.Total;

    /// <summary>Samples by state.</summary>
    public StateCounts States { get; }

    /// <summary>Every frame seen, by self samples descending (then total descending, then name).</summary>
    public IReadOnlyList<FrameStat> Frames { get; }

    /// <summary>The optimization spots, by seconds descending (then name).</summary>
    public IReadOnlyList<Spot> Spots { get; }

    /// <summary>The analysed requests, by duration descending.</summary>
    public IReadOnlyList<RequestSummary> Requests { get; }

    /// <summary>What the hot/cold boundary saw.</summary>
    public BoundaryStats Boundary { get; }

    /// <summary>The statistics of a frame by name, or <c>null</c>.</summary>
    /// <param name="name">The frame's full name.</param>
    /// <returns>Its statistics.</returns>
    public FrameStat? FindFrame(string name)
    {
        _framesByName ??= Frames.ToDictionary(f => f.Name, StringComparer.Ordinal);
        return _framesByName.GetValueOrDefault(name);
    }

    /// <summary>The spot of a frame by name, or <c>null</c> when it was never credited.</summary>
    /// <param name="frame">The frame's full name.</param>
    /// <returns>Its spot.</returns>
    public Spot? FindSpot(string frame)
    {
        _spotsByFrame ??= Spots.ToDictionary(s => s.Frame, StringComparer.Ordinal);
        return _spotsByFrame.GetValueOrDefault(frame);
    }
}

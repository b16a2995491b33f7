namespace StatProf.Analysis;

/// <summary>What <see cref="Analyzer.Analyze"/> counts and how. Immutable once made.</summary>
public sealed class AnalysisOptions
{
    /// <summary>Frames dropped, folded or kept before counting. Default: <see cref="IgnoreSet.Default"/>.</summary>
    public IgnoreSet Ignore { get; init; } = IgnoreSet.Default;

    /// <summary>Only requests that satisfy this condition are counted. Default: <c>null</c> (all).</summary>
    public RequestFilter? Where { get; init; }

    /// <summary>Only requests with this id (in any process) are counted. Default: <c>null</c> (all).</summary>
    public string? RequestId { get; init; }

    /// <summary>The level of every confidence interval, in (0, 1). Default: 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;
}

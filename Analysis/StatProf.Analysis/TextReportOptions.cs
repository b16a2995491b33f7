namespace StatProf.Analysis;

/// <summary>How much the text report shows. Immutable once made.</summary>
public sealed class TextReportOptions
{
    /// <summary>Frames listed by self samples. Default: 20.</summary>
    public int TopFrames { get; init; } = 20;

    /// <summary>Optimization spots listed. Default: 10.</summary>
    public int TopSpots { get; init; } = 10;

    /// <summary>Slowest requests listed. Default: 10.</summary>
    public int TopRequests { get; init; } = 10;
}

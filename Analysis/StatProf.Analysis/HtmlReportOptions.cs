namespace StatProf.Analysis;

/// <summary>
/// How <see cref="ReportWriter.WriteHtml(Profile, Stream, HtmlReportOptions?)"/> keeps a report small
/// enough for a browser. Immutable once made; validated when a report is written.
/// </summary>
public sealed class HtmlReportOptions
{
    /// <summary>The page's title. Default: <c>StatProf report</c> (<c>StatProf diff</c> for a diff).</summary>
    public string? Title { get; init; }

    /// <summary>
    /// Call paths with fewer samples than this share of their graph's samples are pruned from the
    /// embedded graph (the page says how many and how many samples they held). In [0, 1).
    /// Default: 0.0001 (0.01 %).
    /// </summary>
    public double MinFrameShare { get; init; } = 0.0001;

    /// <summary>
    /// The most call-tree nodes embedded for the aggregate graph; when more pass
    /// <see cref="MinFrameShare"/>, the smallest are pruned too. At least 100. Default: 60 000.
    /// </summary>
    public int MaxNodes { get; init; } = 60_000;

    /// <summary>
    /// Requests (the slowest first) that get a flame graph of their own; the others are listed
    /// without one, and the page says so. In [0, 100 000]. Default: 500.
    /// </summary>
    public int MaxRequestGraphs { get; init; } = 500;

    /// <summary>
    /// The most call-tree nodes embedded for one request's graph. At least 10. Default: 2 000.
    /// </summary>
    public int MaxRequestNodes { get; init; } = 2_000;

    /// <summary>
    /// The most call-tree nodes embedded for all the requests' own graphs together: once spent, the
    /// remaining requests get no graph (the page says how many have one). Keeps the file small when
    /// requests are many and their stacks varied. At least 10. Default: 100 000.
    /// </summary>
    public int MaxRequestNodesTotal { get; init; } = 100_000;

    /// <summary>
    /// Requests (the slowest first) listed in the page's table; the page says how many were left out.
    /// In [1, 1 000 000]. Default: 2 000.
    /// </summary>
    public int MaxRequests { get; init; } = 2_000;

    /// <summary>Optimization spots marked in the graph with their rank. In [0, 100]. Default: 10.</summary>
    public int MarkedSpots { get; init; } = 10;

    /// <summary>
    /// The same records analysed by line: read with <see cref="RecordReaderOptions.ByLine"/> and
    /// analysed with the same <see cref="AnalysisOptions"/> as the report's profile. When given (and the
    /// profile is by method), the page carries each method's samples broken down by source line (only
    /// methods in the page with lines, only lines with samples) and shows them for a zoomed frame.
    /// Default: <c>null</c> (no breakdown; tooltips still name a frame's file and line).
    /// </summary>
    public Profile? LineProfile { get; init; }

    internal void Validate()
    {
        if (!(MinFrameShare >= 0 && MinFrameShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinFrameShare), MinFrameShare, "MinFrameShare must be in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNodes, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestNodes, 10);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestNodesTotal, 10);
        if (MaxRequestGraphs is < 0 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestGraphs), MaxRequestGraphs, "MaxRequestGraphs must be in [0, 100000].");
        }

        if (MaxRequests is < 1 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequests), MaxRequests, "MaxRequests must be in [1, 1000000].");
        }

        if (MarkedSpots is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MarkedSpots), MarkedSpots, "MarkedSpots must be in [0, 100].");
        }
    }
}

namespace StatProf.Analysis;

/// <summary>One analysed request: its own optimization spot and busiest leaf.</summary>
/// <param name="Request">The request.</param>
/// <param name="TopSpot">The frame with most boundary time in this request (share within the request), or <c>null</c> when nothing was credited (one sample, no common frame).</param>
/// <param name="TopSelfFrame">The frame most often the leaf of its samples, or <c>null</c> without samples.</param>
/// <param name="TopSelfSamples">Samples with that leaf.</param>
public sealed record RequestSummary(Request Request, Spot? TopSpot, string? TopSelfFrame, long TopSelfSamples);

namespace StatProf.Analysis;

/// <summary>What the hot/cold boundary saw over the analysed requests.</summary>
/// <param name="Intervals">Pairs of consecutive dumps with a positive interval.</param>
/// <param name="Seconds">Time between them.</param>
/// <param name="NoCommonFrame">Pairs whose stacks share no frame (or only markers such as <c>[native code]</c>): not credited.</param>
/// <param name="NoCommonFrameSeconds">Time between those pairs.</param>
/// <param name="SingleSampleRequests">Requests with exactly one sample: no pair, no credit.</param>
/// <param name="BadIntervals">Pairs whose interval was not positive (clock trouble): not credited.</param>
public sealed record BoundaryStats(long Intervals, double Seconds, long NoCommonFrame, double NoCommonFrameSeconds, int SingleSampleRequests, long BadIntervals);

namespace StatProf.Analysis;

/// <summary>A process that wrote record files, as its (last read) header described it.</summary>
/// <param name="Pid">The process id; request ids are unique within it.</param>
/// <param name="Name">The process name.</param>
/// <param name="Runtime">The runtime description, e.g. <c>.NET 10.0.12</c>.</param>
/// <param name="ThresholdMs">The slow-request threshold T, in ms (NaN when the header did not say).</param>
/// <param name="IntervalMs">The dump interval I, in ms (NaN when the header did not say).</param>
/// <param name="FormatVersion">The record format's version.</param>
public sealed record ProcessInfo(int Pid, string Name, string Runtime, double ThresholdMs, double IntervalMs, int FormatVersion);

namespace StatProf.Analysis;

/// <summary>One file (or stream) read into a <see cref="RecordSet"/>.</summary>
/// <param name="Name">The path or the name given for the stream.</param>
/// <param name="Bytes">Bytes read.</param>
/// <param name="Lines">Lines read, blank ones included.</param>
/// <param name="Records">Lines used as records.</param>
/// <param name="Skipped">Lines skipped, by reason.</param>
/// <param name="HasHeader">Whether a header line was found; without one, requests are attributed to process 0.</param>
public sealed record RecordSource(string Name, long Bytes, long Lines, long Records, SkippedLines Skipped, bool HasHeader);

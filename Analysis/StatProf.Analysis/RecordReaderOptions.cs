namespace StatProf.Analysis;

/// <summary>
/// Limits of a <see cref="RecordReader"/>. Validated and copied when the reader is created, so
/// changing an instance afterwards has no effect on readers made from it.
/// </summary>
public sealed class RecordReaderOptions
{
    /// <summary>The longest line read, in bytes; a longer line is skipped as it streams past (never
    /// buffered whole) and counted in <see cref="SkippedLines.Oversized"/>. The reader holds one
    /// buffer of about this size. From 1 KiB to 256 MiB. Default: 1 MiB.</summary>
    public int MaxLineBytes { get; init; } = 1024 * 1024;

    /// <summary>The deepest JSON nesting accepted; a deeper line is counted in
    /// <see cref="SkippedLines.Malformed"/>. Records nest 3 levels deep. From 4 to 256. Default: 64.</summary>
    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>The most warnings kept in <see cref="RecordSet.Warnings"/> (further ones are counted, not kept).
    /// From 0 to 10 000. Default: 100.</summary>
    public int MaxWarnings { get; init; } = 100;

    /// <summary>Told how far reading got: the bytes read so far from all the files this reader read
    /// with <see cref="RecordReader.ReadFile"/> (compressed bytes for <c>.gz</c> files, so the figure
    /// compares with file sizes), at most once per MiB and at the end of each file. Called on the
    /// reading thread. Default: <c>null</c> (no report).</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>
    /// Frames are methods at a line (<c>Name in File:line N</c>) instead of methods, wherever the
    /// records carry source lines (docs/source-lines.md): frame counts, flame graphs and the hot/cold
    /// boundary then tell the lines of a method apart, so an optimization spot names the exact call
    /// site. Frames without a line stay methods. Default: false (by method).
    /// </summary>
    public bool ByLine { get; init; }

    internal RecordReaderOptions Validated()
    {
        if (MaxLineBytes is < 1024 or > 256 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLineBytes), MaxLineBytes, "MaxLineBytes must be between 1 KiB and 256 MiB.");
        }

        if (MaxJsonDepth is < 4 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxJsonDepth), MaxJsonDepth, "MaxJsonDepth must be between 4 and 256.");
        }

        if (MaxWarnings is < 0 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWarnings), MaxWarnings, "MaxWarnings must be between 0 and 10 000.");
        }

        return new RecordReaderOptions { MaxLineBytes = MaxLineBytes, MaxJsonDepth = MaxJsonDepth, MaxWarnings = MaxWarnings, Progress = Progress, ByLine = ByLine };
    }
}

namespace StatProf.Analysis.Internal.Reading;

/// <summary>Why a line was skipped; indexes the reader's counters (see <see cref="SkippedLines"/>).</summary>
internal enum SkipReason
{
    None = -1,
    Malformed = 0,
    Truncated,
    Oversized,
    InvalidUtf8,
    WrongShape,
    UnknownType,
    Orphan,
    OutOfOrder,
    Count,
}

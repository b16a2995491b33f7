using StatProf.Analysis.Internal.Reading;

namespace StatProf.Analysis;

/// <summary>
/// Lines of record files that were skipped, by reason. Bad input never stops a read: every line
/// that cannot be used is counted here instead.
/// </summary>
public sealed record SkippedLines
{
    /// <summary>No skipped line.</summary>
    public static readonly SkippedLines None = new();

    /// <summary>Not valid JSON, or nested deeper than the reader's maximum depth.</summary>
    public long Malformed { get; init; }

    /// <summary>The last line of a file without its newline: what a writer that stopped mid-record leaves. Skipped even
    /// when it parses, as the record format requires (a record is complete only with its newline).</summary>
    public long Truncated { get; init; }

    /// <summary>Longer than the reader's maximum line length; skipped without being buffered.</summary>
    public long Oversized { get; init; }

    /// <summary>Not valid UTF-8.</summary>
    public long InvalidUtf8 { get; init; }

    /// <summary>Valid JSON but not a record: not an object, a required field missing or of the wrong type, an unknown state.</summary>
    public long WrongShape { get; init; }

    /// <summary>A record whose <c>type</c> this reader does not know (from a newer writer, or not a record file).</summary>
    public long UnknownType { get; init; }

    /// <summary>A <c>same</c> record whose request or referenced dump was never seen, or a <c>dump</c> whose <c>stack</c> line is not in its file.</summary>
    public long Orphan { get; init; }

    /// <summary>A dump numbered at or below the request's last one, or after its end (duplicates, files read twice).</summary>
    public long OutOfOrder { get; init; }

    /// <summary>All skipped lines.</summary>
    public long Total => Malformed + Truncated + Oversized + InvalidUtf8 + WrongShape + UnknownType + Orphan + OutOfOrder;

    /// <summary>The counts by reason, in a fixed order, with their names as the JSON report writes them.</summary>
    /// <returns>Pairs of (reason, count).</returns>
    public IEnumerable<KeyValuePair<string, long>> ByReason()
    {
        yield return new("malformed", Malformed);
        yield return new("truncated", Truncated);
        yield return new("oversized", Oversized);
        yield return new("invalidUtf8", InvalidUtf8);
        yield return new("wrongShape", WrongShape);
        yield return new("unknownType", UnknownType);
        yield return new("orphan", Orphan);
        yield return new("outOfOrder", OutOfOrder);
    }

    /// <summary>The sum of two counts (two sources, two sets).</summary>
    /// <param name="other">The other counts.</param>
    /// <returns>The sum.</returns>
    public SkippedLines Add(SkippedLines other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new SkippedLines
        {
            Malformed = Malformed + other.Malformed,
            Truncated = Truncated + other.Truncated,
            Oversized = Oversized + other.Oversized,
            InvalidUtf8 = InvalidUtf8 + other.InvalidUtf8,
            WrongShape = WrongShape + other.WrongShape,
            UnknownType = UnknownType + other.UnknownType,
            Orphan = Orphan + other.Orphan,
            OutOfOrder = OutOfOrder + other.OutOfOrder,
        };
    }

    internal static SkippedLines From(ReadOnlySpan<long> counts) => new()
    {
        Malformed = counts[(int)SkipReason.Malformed],
        Truncated = counts[(int)SkipReason.Truncated],
        Oversized = counts[(int)SkipReason.Oversized],
        InvalidUtf8 = counts[(int)SkipReason.InvalidUtf8],
        WrongShape = counts[(int)SkipReason.WrongShape],
        UnknownType = counts[(int)SkipReason.UnknownType],
        Orphan = counts[(int)SkipReason.Orphan],
        OutOfOrder = counts[(int)SkipReason.OutOfOrder],
    };
}

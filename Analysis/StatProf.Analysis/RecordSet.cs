using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis;

/// <summary>
/// Record files read as one set (rotated files, several processes): the slow requests keyed by
/// (pid, id), their interned stacks, the processes, and what was skipped. Made by
/// <see cref="RecordReader"/>; read-only; analysed by <see cref="Analyzer"/>.
/// </summary>
public sealed class RecordSet
{
    internal RecordSet(
        FrameTable frames,
        StackTable stacks,
        IReadOnlyList<Request> requests,
        IReadOnlyList<RecordSource> sources,
        IReadOnlyList<ProcessInfo> processes,
        long samples,
        long loggerDroppedRecords,
        long truncatedStacks,
        IReadOnlyList<string> warnings)
    {
        Frames = frames;
        Stacks = stacks;
        Requests = requests;
        Sources = sources;
        Processes = processes;
        Samples = samples;
        LoggerDroppedRecords = loggerDroppedRecords;
        TruncatedStacks = truncatedStacks;
        Warnings = warnings;
        Skipped = sources.Aggregate(SkippedLines.None, (sum, source) => sum.Add(source.Skipped));
    }

    /// <summary>The requests, in order of first appearance.</summary>
    public IReadOnlyList<Request> Requests { get; }

    /// <summary>The files and streams read, in order.</summary>
    public IReadOnlyList<RecordSource> Sources { get; }

    /// <summary>The processes whose headers were read, by pid.</summary>
    public IReadOnlyList<ProcessInfo> Processes { get; }

    /// <summary>Samples read: <c>dump</c> and <c>same</c> records used.</summary>
    public long Samples { get; }

    /// <summary>Lines skipped over all sources, by reason.</summary>
    public SkippedLines Skipped { get; }

    /// <summary>Records the writer itself reported dropping (its <c>stats</c> records' <c>recordsDropped</c>).</summary>
    public long LoggerDroppedRecords { get; }

    /// <summary>Dumps whose stack the sampler cut at its maximum depth (their root side is kept, ending in <c>[truncated]</c>).</summary>
    public long TruncatedStacks { get; }

    /// <summary>Things a reader of the report should know (a file without header, a newer format version), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Distinct stacks interned.</summary>
    public int DistinctStacks => Stacks.Count;

    /// <summary>Distinct frames (method identities) interned.</summary>
    public int DistinctFrames => Frames.Count;

    /// <summary>Whether any frame read carries a source file and line (docs/source-lines.md).</summary>
    public bool HasSourceLines => Frames.HasLines;

    internal FrameTable Frames { get; }

    internal StackTable Stacks { get; }

    /// <summary>The frame names of an interned stack, root first.</summary>
    internal string[] GetStackNames(int stackId)
    {
        ReadOnlySpan<int> frames = Stacks.Get(stackId);
        var names = new string[frames.Length];
        for (int i = 0; i < frames.Length; i++)
        {
            names[i] = Frames.Name(frames[i]);
        }

        return names;
    }
}

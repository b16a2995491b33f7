using StatProf.Analysis.Internal.Aggregation;
using StatProf.Analysis.Internal.Reading;

namespace StatProf.Analysis.Internal.Importing;

/// <summary>
/// What an importer of a foreign format (folded stacks, a .nettrace capture) may add to the set a
/// <see cref="RecordReader"/> is building: frames and stacks interned in the set's own tables,
/// requests, processes and warnings. Obtained from <see cref="RecordReader.BeginImport"/> and handed
/// back to <see cref="RecordReader.EndImport"/>, which adds the source and its counts to the set.
/// </summary>
internal sealed class ImportSink
{
    private readonly RecordSetBuilder _builder;
    private int[] _stack = new int[256];

    internal ImportSink(RecordSetBuilder builder, string sourceName)
    {
        _builder = builder;
        SourceName = sourceName;
    }

    /// <summary>The name of the source being imported (a path).</summary>
    public string SourceName { get; }

    /// <summary>Samples added through this sink.</summary>
    public long Samples { get; set; }

    /// <summary>Lines (or events) read from the source.</summary>
    public long Lines { get; set; }

    /// <summary>Lines (or events) used.</summary>
    public long Records { get; set; }

    /// <summary>Bytes read from the source.</summary>
    public long Bytes { get; set; }

    /// <summary>Lines skipped, by <see cref="SkipReason"/>.</summary>
    public long[] Skipped { get; } = new long[(int)SkipReason.Count];

    public FrameTable Frames => _builder.Frames;

    /// <summary>Interns a stack of frame names (root first) and returns its id.</summary>
    public int InternStack(IReadOnlyList<string> framesRootFirst, string module = "")
    {
        if (framesRootFirst.Count > _stack.Length)
        {
            _stack = new int[Math.Max(framesRootFirst.Count, _stack.Length * 2)];
        }

        for (int i = 0; i < framesRootFirst.Count; i++)
        {
            _stack[i] = _builder.Frames.Intern(framesRootFirst[i], module);
        }

        return _builder.Stacks.Intern(_stack.AsSpan(0, framesRootFirst.Count));
    }

    /// <summary>Interns a stack of frame ids (from <see cref="Frames"/>), root first, and returns its id.</summary>
    public int InternStack(ReadOnlySpan<int> frameIdsRootFirst) => _builder.Stacks.Intern(frameIdsRootFirst);

    /// <summary>Adds a request to the set.</summary>
    public Request AddRequest(int processId, string id, string name, string kind)
    {
        var request = new Request(processId, id) { Name = name, Kind = kind, Source = SourceName };
        _builder.Requests.Add(request);
        return request;
    }

    /// <summary>Records a process (as a header would).</summary>
    public void AddProcess(ProcessInfo process) => _builder.Processes[process.Pid] = process;

    /// <summary>Adds a warning to the set.</summary>
    public void Warn(string message) => _builder.Warn(message);

    internal RecordSource ToSource() =>
        new(SourceName, Bytes, Lines, Records, SkippedLines.From(Skipped), HasHeader: false);
}

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Reading;

/// <summary>The reading state of one source (file or stream).</summary>
internal sealed class SourceState(string name)
{
    public string Name { get; } = name;

    public int Pid { get; set; }

    public bool HasHeader { get; set; }

    public bool WarnedNoHeader { get; set; }

    public long Lines { get; set; }

    public long Records { get; set; }

    public long[] Skipped { get; } = new long[(int)SkipReason.Count];

    /// <summary>Format version 2: the stack lines read so far, by their id, as interned stack ids.</summary>
    public Dictionary<long, int> Stacks { get; } = [];

    /// <summary>
    /// Request objects of this file's dumps already read whole (their bytes), for the parser to
    /// recognise the same request's later dumps without reading the object again.
    /// </summary>
    public SpanInterner<byte> RequestObjects { get; } = new();

    /// <summary>Index of a <see cref="RequestObjects"/> entry → index of its request in the set.</summary>
    public List<int> RequestOfObject { get; } = [];
}

/// <summary>
/// Turns parsed record lines into requests with interned stacks: validates each record against its
/// type, resolves <c>same</c> records, keys requests by (pid, id) and keeps, per request, counts by
/// stack and the transitions between consecutive dumps (all the hot/cold boundary needs), so memory
/// is bounded by distinct stacks and requests rather than by the number of samples.
/// </summary>
internal sealed class RecordSetBuilder
{
    private const ulong HeaderRequired = 1UL << (int)Field.Process;
    private const ulong HeaderOptional = (1UL << (int)Field.Format) | (1UL << (int)Field.Version) | (1UL << (int)Field.ThresholdMs)
        | (1UL << (int)Field.IntervalMs) | (1UL << (int)Field.Continuation) | (1UL << (int)Field.Time);

    private const ulong DumpCommon = (1UL << (int)Field.Request) | (1UL << (int)Field.ElapsedMs) | (1UL << (int)Field.Dump)
        | (1UL << (int)Field.State) | (1UL << (int)Field.Time);

    // Version 1: the frames in the dump; version 2: a reference to a stack line.
    private const ulong DumpWithFrames = DumpCommon | (1UL << (int)Field.Frames);

    private const ulong DumpWithStack = DumpCommon | (1UL << (int)Field.Stack);

    private const ulong DumpOptional = (1UL << (int)Field.Thread) | (1UL << (int)Field.Truncated);

    private const ulong StackRequired = (1UL << (int)Field.Id) | (1UL << (int)Field.Frames);

    private const ulong StackOptional = (1UL << (int)Field.Time) | (1UL << (int)Field.Truncated) | (1UL << (int)Field.Notice);

    private const ulong SameRequired = (1UL << (int)Field.RequestId) | (1UL << (int)Field.ElapsedMs) | (1UL << (int)Field.Dump)
        | (1UL << (int)Field.State) | (1UL << (int)Field.SameAs) | (1UL << (int)Field.Time);

    private const ulong SameOptional = 1UL << (int)Field.Thread;

    private const ulong EndRequired = (1UL << (int)Field.Request) | (1UL << (int)Field.DurationMs);

    private const ulong EndOptional = (1UL << (int)Field.Time) | (1UL << (int)Field.Dumps) | (1UL << (int)Field.Outcome)
        | (1UL << (int)Field.Status) | (1UL << (int)Field.Error);

    private readonly SpanInterner<byte> _requestKeys = new();
    private readonly List<Request> _keyed = []; // by _requestKeys index (imported requests are in Requests only)
    private readonly Utf8StringPool _pool = new();
    private readonly int _maxWarnings;
    private int[] _stack = new int[256];
    private byte[] _key = new byte[256];
    private byte[] _unescaped = new byte[256];

    public RecordSetBuilder(int maxWarnings, bool byLine = false)
    {
        _maxWarnings = maxWarnings;
        _byLine = byLine;
    }

    private readonly bool _byLine;
    private readonly HashSet<string> _notices = new(StringComparer.Ordinal);
    private byte[] _nameScratch = new byte[256];

    public FrameTable Frames { get; } = new();

    public StackTable Stacks { get; } = new();

    public List<Request> Requests { get; } = [];

    public Dictionary<int, ProcessInfo> Processes { get; } = [];

    public List<string> Warnings { get; } = [];

    public long WarningsNotKept { get; private set; }

    public long Samples { get; private set; }

    public long LoggerDroppedRecords { get; private set; }

    /// <summary>Dumps whose stack the sampler cut at its maximum depth.</summary>
    public long TruncatedStacks { get; private set; }

    public void Warn(string message)
    {
        if (Warnings.Count < _maxWarnings)
        {
            Warnings.Add(message);
        }
        else
        {
            WarningsNotKept++;
        }
    }

    /// <summary>Applies one parsed record; returns why it was skipped, or <see cref="SkipReason.None"/>.</summary>
    public SkipReason Apply(RecordLineParser record, ReadOnlySpan<byte> line, SourceState source)
    {
        switch (record.Kind)
        {
            case RecordKind.Dump:
                if (record.Has(Field.Stack))
                {
                    return Valid(record, DumpWithStack, DumpOptional) && !record.Has(Field.Frames) ? ApplyDump(record, line, source) : SkipReason.WrongShape;
                }

                return Valid(record, DumpWithFrames, DumpOptional) ? ApplyDump(record, line, source) : SkipReason.WrongShape;
            case RecordKind.Stack:
                return Valid(record, StackRequired, StackOptional) ? ApplyStack(record, line, source) : SkipReason.WrongShape;
            case RecordKind.Same:
                return Valid(record, SameRequired, SameOptional) ? ApplySame(record, line, source) : SkipReason.WrongShape;
            case RecordKind.End:
                return Valid(record, EndRequired, EndOptional) ? ApplyEnd(record, line, source) : SkipReason.WrongShape;
            case RecordKind.Header:
                return Valid(record, HeaderRequired, HeaderOptional) ? ApplyHeader(record, line, source) : SkipReason.WrongShape;
            case RecordKind.Stats:
                if (record.Has(Field.RecordsDropped) && !record.IsWrong(Field.RecordsDropped))
                {
                    LoggerDroppedRecords += record.RecordsDropped;
                }

                return SkipReason.None;
            case RecordKind.Unknown:
                return SkipReason.UnknownType;
            default:
                return SkipReason.WrongShape;
        }
    }

    /// <summary>Releases per-dump state of every request (the end of reading).</summary>
    public void Seal()
    {
        foreach (Request request in Requests)
        {
            request.Seal();
        }
    }

    private static bool Valid(RecordLineParser record, ulong required, ulong optional) =>
        (record.Present & required) == required && (record.Wrong & (required | optional)) == 0;

    private SkipReason ApplyHeader(RecordLineParser record, ReadOnlySpan<byte> line, SourceState source)
    {
        if (record.Has(Field.Format) && !record.Bytes(line, record.Format).SequenceEqual("statprof-records"u8))
        {
            return SkipReason.WrongShape;
        }

        int version = record.Has(Field.Version) ? record.Version : 1;
        if (version < 1)
        {
            return SkipReason.WrongShape;
        }

        if (version > 2)
        {
            Warn($"{source.Name}: record format version {version} is newer than this reader's (2); read best-effort.");
        }

        source.Pid = record.Pid;
        source.HasHeader = true;
        Processes[record.Pid] = new ProcessInfo(
            record.Pid,
            _pool.Get(record.Bytes(line, record.ProcessName)),
            _pool.Get(record.Bytes(line, record.Runtime)),
            record.ThresholdMs,
            record.IntervalMs,
            version);
        return SkipReason.None;
    }

    private SkipReason ApplyDump(RecordLineParser record, ReadOnlySpan<byte> line, SourceState source)
    {
        if (record.Dump < 1)
        {
            return SkipReason.WrongShape;
        }

        NoteMissingHeader(source);
        Request request;
        if (record.KnownRequest >= 0)
        {
            request = _keyed[source.RequestOfObject[record.KnownRequest]];
        }
        else
        {
            request = FindOrAddRequest(record, line, source, record.Bytes(line, record.ReqId), out int index);
            if (record.RequestObjectLength > 0 && record.RequestObjectStart + record.RequestObjectLength == line.Length - 1)
            {
                // The object ends the line, as the writer puts it: its next dumps repeat it byte for byte.
                source.RequestObjects.Intern(line.Slice(record.RequestObjectStart, record.RequestObjectLength), out bool added);
                if (added)
                {
                    source.RequestOfObject.Add(index);
                }
            }
        }

        if (request.Ended || record.Dump <= request.LastDumpNumber)
        {
            return SkipReason.OutOfOrder;
        }

        int stackId;
        bool truncated;
        if (record.Has(Field.Stack))
        {
            // Version 2: the stack line came earlier in this file.
            if (!source.Stacks.TryGetValue(record.StackRef, out int known))
            {
                return SkipReason.Orphan;
            }

            stackId = known & int.MaxValue;
            truncated = known < 0;
        }
        else
        {
            stackId = InternFrames(record, line);
            truncated = record.Truncated;
        }

        if (truncated)
        {
            TruncatedStacks++;
        }

        request.AddSample(record.Dump, stackId, record.State, record.Time, record.ElapsedMs, record.Thread);
        Samples++;
        return SkipReason.None;
    }

    private SkipReason ApplyStack(RecordLineParser record, ReadOnlySpan<byte> line, SourceState source)
    {
        NoteMissingHeader(source);
        if (record.Notice.HasValue && _notices.Count < 64)
        {
            string notice = System.Text.Encoding.UTF8.GetString(record.Bytes(line, record.Notice));
            if (_notices.Add(notice))
            {
                Warn($"{source.Name}: {notice}.");
            }
        }

        int stackId = InternFrames(record, line);

        // The sign bit carries the truncated flag: interned ids are never negative.
        source.Stacks[record.StackId] = record.Truncated ? stackId | int.MinValue : stackId;
        return SkipReason.None;
    }

    private int InternFrames(RecordLineParser record, ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<FrameRef> frames = record.Frames;
        if (frames.Length > _stack.Length)
        {
            _stack = new int[Math.Max(frames.Length, _stack.Length * 2)];
        }

        for (int i = 0; i < frames.Length; i++)
        {
            ReadOnlySpan<byte> name = record.Bytes(line, frames[i].Name);
            ReadOnlySpan<byte> module = record.Bytes(line, frames[i].Module);
            if (frames[i].Line > 0)
            {
                ReadOnlySpan<byte> file = record.Bytes(line, frames[i].File);
                _stack[i] = _byLine
                    ? Frames.Intern(WithLine(name, file, frames[i].Line), module, file, frames[i].Line)
                    : Frames.Intern(name, module, file, frames[i].Line);
            }
            else
            {
                _stack[i] = Frames.Intern(name, module);
            }
        }

        return Stacks.Intern(_stack.AsSpan(0, frames.Length));
    }

    /// <summary>By line, a frame is its method at a line: <c>Name in File:line N</c>, as tracebacks print it.</summary>
    private ReadOnlySpan<byte> WithLine(ReadOnlySpan<byte> name, ReadOnlySpan<byte> file, int lineNumber)
    {
        int length = name.Length + 4 + file.Length + 6 + 11;
        if (_nameScratch.Length < length)
        {
            _nameScratch = new byte[Math.Max(length, _nameScratch.Length * 2)];
        }

        Span<byte> into = _nameScratch;
        name.CopyTo(into);
        int at = name.Length;
        " in "u8.CopyTo(into[at..]);
        at += 4;
        file.CopyTo(into[at..]);
        at += file.Length;
        ":line "u8.CopyTo(into[at..]);
        at += 6;
        lineNumber.TryFormat(into[at..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        return into[..(at + digits)];
    }

    private SkipReason ApplySame(RecordLineParser record, ReadOnlySpan<byte> line, SourceState source)
    {
        if (record.Dump < 1)
        {
            return SkipReason.WrongShape;
        }

        NoteMissingHeader(source);
        int index = _requestKeys.Find(Key(source.Pid, record.Bytes(line, record.RequestId)));
        if (index < 0)
        {
            return SkipReason.Orphan;
        }

        Request request = _keyed[index];
        if (request.Ended || record.Dump <= request.LastDumpNumber)
        {
            return SkipReason.OutOfOrder;
        }

        if (request.DumpStacks is not { } stacks || !stacks.TryFind(record.SameAs, out int stackId))
        {
            return SkipReason.Orphan;
        }

        request.AddSample(record.Dump, stackId, record.State, record.Time, record.ElapsedMs, record.Thread);
        Samples++;
        return SkipReason.None;
    }

    private SkipReason ApplyEnd(RecordLineParser record, ReadOnlySpan<byte> line, SourceState source)
    {
        NoteMissingHeader(source);
        Request request = FindOrAddRequest(record, line, source, record.Bytes(line, record.ReqId), out _);
        if (request.Ended)
        {
            return SkipReason.OutOfOrder;
        }

        request.DurationMs = record.DurationMs;
        request.Outcome = record.Outcome.HasValue ? _pool.Get(record.Bytes(line, record.Outcome)) : "unknown";
        request.Status = record.Status;
        request.Error = record.Error.HasValue ? _pool.Get(record.Bytes(line, record.Error)) : null;
        if (record.Has(Field.Time))
        {
            request.EndedAt = record.Time;
        }

        request.MarkEnded();
        return SkipReason.None;
    }

    private void NoteMissingHeader(SourceState source)
    {
        if (!source.HasHeader && !source.WarnedNoHeader)
        {
            source.WarnedNoHeader = true;
            Warn($"{source.Name}: records before any header line (line {source.Lines}); their requests are attributed to process 0.");
        }
    }

    private Request FindOrAddRequest(RecordLineParser record, ReadOnlySpan<byte> line, SourceState source, ReadOnlySpan<byte> id, out int index)
    {
        index = _requestKeys.Intern(Key(source.Pid, id), out bool added);
        if (!added)
        {
            return _keyed[index];
        }

        var request = new Request(source.Pid, Encoding.UTF8.GetString(id))
        {
            Kind = _pool.Get(record.Bytes(line, record.ReqKind)),
            Name = Encoding.UTF8.GetString(record.Bytes(line, record.ReqName)),
            TraceId = record.ReqTraceId.HasValue ? Encoding.UTF8.GetString(record.Bytes(line, record.ReqTraceId)) : null,
            StartedAt = record.ReqStartedAt,
            Source = source.Name,
        };
        if (record.ReqTagsLength > 0)
        {
            try
            {
                request.Tags = ReadTags(line.Slice(record.ReqTagsStart, record.ReqTagsLength));
            }
            catch (InvalidOperationException)
            {
                // An escape that is not valid UTF-16 (a lone surrogate) in a tag: keep the request, drop its tags.
                Warn($"{source.Name}: request {request.Id} has a tag that cannot be decoded; its tags were dropped.");
            }
        }

        _keyed.Add(request);
        Requests.Add(request);
        return request;
    }

    private Dictionary<string, string> ReadTags(ReadOnlySpan<byte> json)
    {
        // The range is one complete JSON object already read once: it cannot be malformed here.
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = PooledString(ref reader);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                tags[key] = PooledString(ref reader);
            }
            else
            {
                reader.Skip(); // a non-string tag value is ignored
            }
        }

        return tags;
    }

    private string PooledString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return _pool.Get(reader.ValueSpan);
        }

        if (reader.ValueSpan.Length > _unescaped.Length)
        {
            _unescaped = new byte[Math.Max(reader.ValueSpan.Length, _unescaped.Length * 2)];
        }

        int written = reader.CopyString(_unescaped);
        return _pool.Get(_unescaped.AsSpan(0, written));
    }

    private ReadOnlySpan<byte> Key(int pid, ReadOnlySpan<byte> id)
    {
        if (id.Length + 4 > _key.Length)
        {
            _key = new byte[Math.Max(id.Length + 4, _key.Length * 2)];
        }

        BinaryPrimitives.WriteInt32LittleEndian(_key, pid);
        id.CopyTo(_key.AsSpan(4));
        return _key.AsSpan(0, id.Length + 4);
    }
}

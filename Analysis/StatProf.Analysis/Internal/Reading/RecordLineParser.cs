using System.Buffers.Text;
using System.Text.Json;
using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Reading;

/// <summary>The record types of the format (the <c>type</c> field).</summary>
internal enum RecordKind
{
    Missing,
    Header,
    Stack,
    Dump,
    Same,
    End,
    Stats,
    Unknown,
}

/// <summary>The fields the parser knows; one bit each in <see cref="RecordLineParser.Present"/> and <see cref="RecordLineParser.Wrong"/>.</summary>
internal enum Field
{
    Type,
    Time,
    Request,
    ElapsedMs,
    Dump,
    Thread,
    State,
    Truncated,
    Frames,
    SameAs,
    RequestId,
    DurationMs,
    Dumps,
    Outcome,
    Status,
    Error,
    Format,
    Version,
    Process,
    ThresholdMs,
    IntervalMs,
    Continuation,
    RecordsDropped,
    Stack,
    Id,
    Notice,
}

/// <summary>Where a string value lies: in the line (unescaped), in the parser's scratch (unescaped copy), or JSON null.</summary>
internal readonly record struct Utf8Ref(int Start, int Length, byte Where)
{
    public const byte Absent = 0;
    public const byte InLine = 1;
    public const byte InScratch = 2;
    public const byte Null = 3;

    public bool HasValue => Where is InLine or InScratch;
}

/// <summary>One frame of a <c>dump</c> record: its name, module and (optional) source file and line, not yet interned.</summary>
internal readonly record struct FrameRef(Utf8Ref Name, Utf8Ref Module, Utf8Ref File = default, int Line = 0);

/// <summary>
/// Parses one record line with a <see cref="Utf8JsonReader"/> in a single forward pass, in any field
/// order, without allocating: strings are kept as positions in the line (or, when escaped, in a
/// reused scratch buffer) and decoded only when the record is used. Unknown fields are skipped.
/// A field of the wrong JSON type is marked in <see cref="Wrong"/>; whether that matters is decided
/// by the record's type (<see cref="RecordSetBuilder"/>).
/// </summary>
internal sealed class RecordLineParser
{
    private readonly JsonReaderOptions _options;
    private byte[] _scratch = new byte[1024];
    private int _scratchLength;
    private FrameRef[] _frames = new FrameRef[128];

    public RecordLineParser(int maxDepth)
    {
        _options = new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Disallow };
    }

    // The record's fields, valid after Parse until the next Parse.
    public RecordKind Kind;
    public ulong Present;
    public ulong Wrong;
    public DateTime Time;
    public double ElapsedMs;
    public int Dump;
    public ThreadRef Thread;
    public DumpState State;
    public bool Truncated;
    public int FrameCount;
    public int SameAs;
    public Utf8Ref RequestId;
    public double DurationMs;
    public int Dumps;
    public Utf8Ref Outcome;
    public int? Status;
    public Utf8Ref Error;
    public Utf8Ref Format;
    public int Version;
    public int Pid;
    public Utf8Ref ProcessName;
    public Utf8Ref Runtime;
    public double ThresholdMs;
    public double IntervalMs;
    public bool Continuation;
    public long RecordsDropped;

    /// <summary>A <c>stack</c> line's optional <c>notice</c> (source lines unavailable for a module).</summary>
    public Utf8Ref Notice;

    /// <summary>A <c>dump</c>'s <c>stack</c>: the id of its stack line (format version 2).</summary>
    public long StackRef;

    /// <summary>A <c>stack</c> line's <c>id</c>.</summary>
    public long StackId;

    /// <summary>
    /// The id, in the known request objects given to <see cref="Parse"/>, of this line's request
    /// object when it was byte-identical to one of them and ended the line (then it was not parsed
    /// again, and the <c>Req*</c> fields are unset); -1 otherwise.
    /// </summary>
    public int KnownRequest;

    /// <summary>Where the request object lies in the line when it was parsed and ended the line (length 0 otherwise).</summary>
    public int RequestObjectStart;

    /// <summary>See <see cref="RequestObjectStart"/>.</summary>
    public int RequestObjectLength;

    // The request object's fields (dump, end).
    public Utf8Ref ReqId;
    public Utf8Ref ReqKind;
    public Utf8Ref ReqName;
    public Utf8Ref ReqTraceId;
    public DateTime? ReqStartedAt;
    public int ReqTagsStart;
    public int ReqTagsLength;

    public ReadOnlySpan<FrameRef> Frames => _frames.AsSpan(0, FrameCount);

    public bool Has(Field field) => (Present & Bit(field)) != 0;

    public bool IsWrong(Field field) => (Wrong & Bit(field)) != 0;

    public static ulong Bit(Field field) => 1UL << (int)field;

    /// <summary>The bytes of a string value of the last parsed line.</summary>
    public ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> line, Utf8Ref value) => value.Where switch
    {
        Utf8Ref.InLine => line.Slice(value.Start, value.Length),
        Utf8Ref.InScratch => _scratch.AsSpan(value.Start, value.Length),
        _ => default,
    };

    /// <summary>
    /// Parses a line (valid UTF-8). Returns <see cref="SkipReason.None"/> when the line is one JSON
    /// object, <see cref="SkipReason.WrongShape"/> when it is JSON but not an object, and
    /// <see cref="SkipReason.Malformed"/> when it is not JSON or nests too deep.
    /// </summary>
    /// <param name="line">The line, without its newline.</param>
    /// <param name="knownRequests">
    /// Request objects already read whole in this file: a dump whose <c>request</c> object is the last
    /// field of its line (as the writer puts it) and byte-identical to one of them is not read again.
    /// </param>
    public SkipReason Parse(ReadOnlySpan<byte> line, SpanInterner<byte>? knownRequests = null)
    {
        Reset();
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(_options));
            if (!reader.Read())
            {
                return SkipReason.Malformed;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                return reader.Read() ? SkipReason.Malformed : SkipReason.WrongShape;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                Field? field = IdentifyTopLevel(ref reader);
                reader.Read();
                if (field == Field.Request && knownRequests is not null && reader.TokenType == JsonTokenType.StartObject && line[^1] == (byte)'}')
                {
                    // The same request's later dumps repeat its object byte for byte: the rest of
                    // the line was read and validated before, and does not need reading again.
                    int start = (int)reader.TokenStartIndex;
                    int id = knownRequests.Find(line[start..^1]);
                    if (id >= 0)
                    {
                        Present |= Bit(Field.Request);
                        KnownRequest = id;
                        return SkipReason.None;
                    }
                }

                if (field is { } known)
                {
                    Present |= Bit(known);
                    if (!ReadTopLevelValue(ref reader, known))
                    {
                        Wrong |= Bit(known);
                    }
                }

                reader.Skip();
            }

            // A second root value or trailing garbage throws here.
            return reader.Read() ? SkipReason.Malformed : SkipReason.None;
        }
        catch (JsonException)
        {
            return SkipReason.Malformed;
        }
        catch (InvalidOperationException)
        {
            // Invalid escapes (lone surrogates) surface when a string is unescaped.
            return SkipReason.Malformed;
        }
    }

    private void Reset()
    {
        Kind = RecordKind.Missing;
        Present = Wrong = 0;
        FrameCount = 0;
        _scratchLength = 0;
        Status = null;
        ReqId = ReqKind = ReqName = ReqTraceId = default;
        ReqStartedAt = null;
        ReqTagsStart = ReqTagsLength = 0;
        Thread = default;
        Truncated = Continuation = false;
        Version = 0;
        StackRef = StackId = 0;
        Notice = default;
        KnownRequest = -1;
        RequestObjectStart = RequestObjectLength = 0;
        ThresholdMs = IntervalMs = double.NaN;
        Outcome = Error = Format = ProcessName = Runtime = RequestId = default;
    }

    /// <summary>Reads the value at the reader for a known field; false when it has the wrong type. Leaves the reader on the value's last token.</summary>
    private bool ReadTopLevelValue(ref Utf8JsonReader reader, Field field)
    {
        switch (field)
        {
            case Field.Type:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                Kind = reader.ValueTextEquals("dump"u8) ? RecordKind.Dump
                    : reader.ValueTextEquals("same"u8) ? RecordKind.Same
                    : reader.ValueTextEquals("stack"u8) ? RecordKind.Stack
                    : reader.ValueTextEquals("end"u8) ? RecordKind.End
                    : reader.ValueTextEquals("header"u8) ? RecordKind.Header
                    : reader.ValueTextEquals("stats"u8) ? RecordKind.Stats
                    : RecordKind.Unknown;
                return true;
            case Field.Time:
                return TryReadTime(ref reader, out Time);
            case Field.Request:
                int objectStart = (int)reader.TokenStartIndex;
                if (!ReadRequest(ref reader))
                {
                    return false;
                }

                RequestObjectStart = objectStart;
                RequestObjectLength = (int)reader.BytesConsumed - objectStart;
                return true;
            case Field.ElapsedMs:
                return TryReadDouble(ref reader, out ElapsedMs);
            case Field.DurationMs:
                return TryReadDouble(ref reader, out DurationMs);
            case Field.ThresholdMs:
                return TryReadDouble(ref reader, out ThresholdMs);
            case Field.IntervalMs:
                return TryReadDouble(ref reader, out IntervalMs);
            case Field.Dump:
                return TryReadInt(ref reader, out Dump);
            case Field.SameAs:
                return TryReadInt(ref reader, out SameAs);
            case Field.Dumps:
                return TryReadInt(ref reader, out Dumps);
            case Field.Version:
                return TryReadInt(ref reader, out Version);
            case Field.RecordsDropped:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out RecordsDropped);
            case Field.Stack:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out StackRef) && StackRef > 0;
            case Field.Id:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out StackId) && StackId > 0;
            case Field.Status:
                if (reader.TokenType == JsonTokenType.Null)
                {
                    return true;
                }

                if (TryReadInt(ref reader, out int status))
                {
                    Status = status;
                    return true;
                }

                return false;
            case Field.Thread:
                return ReadThread(ref reader);
            case Field.State:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                if (reader.ValueTextEquals("running"u8))
                {
                    State = DumpState.Running;
                }
                else if (reader.ValueTextEquals("waiting"u8))
                {
                    State = DumpState.Waiting;
                }
                else if (reader.ValueTextEquals("awaiting"u8))
                {
                    State = DumpState.Awaiting;
                }
                else
                {
                    return false;
                }

                return true;
            case Field.Truncated:
                return TryReadBool(ref reader, out Truncated);
            case Field.Continuation:
                return TryReadBool(ref reader, out Continuation);
            case Field.Frames:
                return ReadFrames(ref reader);
            case Field.RequestId:
                RequestId = ReadString(ref reader);
                return RequestId.HasValue;
            case Field.Outcome:
                Outcome = ReadString(ref reader);
                return Outcome.Where != Utf8Ref.Absent;
            case Field.Error:
                Error = ReadString(ref reader);
                return Error.Where != Utf8Ref.Absent;
            case Field.Format:
                Format = ReadString(ref reader);
                return Format.HasValue;
            case Field.Process:
                return ReadProcess(ref reader);
            case Field.Notice:
                Notice = ReadString(ref reader);
                return Notice.Where != Utf8Ref.Absent;
            default:
                return true;
        }
    }

    private bool ReadRequest(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool ok = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                ReqId = ReadString(ref reader);
                ok &= ReqId.HasValue;
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                ReqName = ReadString(ref reader);
                ok &= ReqName.Where != Utf8Ref.Absent;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                ReqKind = ReadString(ref reader);
                ok &= ReqKind.Where != Utf8Ref.Absent;
            }
            else if (reader.ValueTextEquals("traceId"u8))
            {
                reader.Read();
                ReqTraceId = ReadString(ref reader);
                ok &= ReqTraceId.Where != Utf8Ref.Absent;
            }
            else if (reader.ValueTextEquals("startedAt"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (TryReadTime(ref reader, out DateTime started))
                {
                    ReqStartedAt = started;
                }
                else
                {
                    ok = false;
                }
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    // Kept as a range: decoded only for a request seen for the first time.
                    ReqTagsStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    ReqTagsLength = (int)reader.BytesConsumed - ReqTagsStart;
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    ok = false;
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
            }

            reader.Skip(); // a value of the wrong type may be an object or an array
        }

        return ok && ReqId.HasValue;
    }

    private bool ReadThread(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool ok = true;
        int os = 0, managed = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("os"u8))
            {
                reader.Read();
                ok &= TryReadInt(ref reader, out os);
            }
            else if (reader.ValueTextEquals("managed"u8))
            {
                reader.Read();
                ok &= TryReadInt(ref reader, out managed);
            }
            else
            {
                reader.Read();
            }

            reader.Skip(); // a value of the wrong type may be an object or an array
        }

        Thread = new ThreadRef(os, managed);
        return ok;
    }

    private bool ReadProcess(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool ok = true, hasPid = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("pid"u8))
            {
                reader.Read();
                hasPid = TryReadInt(ref reader, out Pid);
                ok &= hasPid;
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                ProcessName = ReadString(ref reader);
                ok &= ProcessName.Where != Utf8Ref.Absent;
            }
            else if (reader.ValueTextEquals("runtime"u8))
            {
                reader.Read();
                Runtime = ReadString(ref reader);
                ok &= Runtime.Where != Utf8Ref.Absent;
            }
            else
            {
                reader.Read();
            }

            reader.Skip(); // a value of the wrong type may be an object or an array
        }

        return ok && hasPid;
    }

    private bool ReadFrames(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        bool ok = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                ok = false;
                reader.Skip();
                continue;
            }

            Utf8Ref name = default, module = default, file = default;
            int line = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    name = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("module"u8))
                {
                    reader.Read();
                    module = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("file"u8))
                {
                    // Optional, with "line" (source lines): a wrong type drops the location, not the frame.
                    reader.Read();
                    file = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("line"u8))
                {
                    reader.Read();
                    if (!TryReadInt(ref reader, out line) || line < 1)
                    {
                        line = 0;
                    }
                }
                else
                {
                    reader.Read();
                }

                reader.Skip();
            }

            if (!name.HasValue)
            {
                ok = false;
                continue;
            }

            if (FrameCount == _frames.Length)
            {
                Array.Resize(ref _frames, FrameCount * 2);
            }

            _frames[FrameCount++] = file.HasValue && line > 0 ? new FrameRef(name, module, file, line) : new FrameRef(name, module);
        }

        return ok;
    }

    /// <summary>A string (kept where it lies, or unescaped into scratch), JSON null, or <see cref="Utf8Ref.Absent"/> for another type.</summary>
    private Utf8Ref ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return new Utf8Ref(0, 0, Utf8Ref.Null);
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return default;
        }

        if (!reader.ValueIsEscaped)
        {
            // An unescaped string's value starts just after its opening quote.
            return new Utf8Ref((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, Utf8Ref.InLine);
        }

        return Unescape(ref reader);
    }

    private Utf8Ref Unescape(ref Utf8JsonReader reader)
    {
        int needed = _scratchLength + reader.ValueSpan.Length; // unescaping never lengthens UTF-8
        if (needed > _scratch.Length)
        {
            Array.Resize(ref _scratch, Math.Max(needed, _scratch.Length * 2));
        }

        int written = reader.CopyString(_scratch.AsSpan(_scratchLength));
        var value = new Utf8Ref(_scratchLength, written, Utf8Ref.InScratch);
        _scratchLength += written;
        return value;
    }

    private static bool TryReadTime(ref Utf8JsonReader reader, out DateTime value)
    {
        // Fast path for what the writer writes ("O": 7 fraction digits and Z): Utf8Parser reads it
        // in about half the time of the reader's general ISO 8601 parser, and every dump has two.
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            && reader.ValueSpan is { Length: 28 } text && text[27] == (byte)'Z'
            && Utf8Parser.TryParse(text, out DateTime utc, out int consumed, 'O') && consumed == 28)
        {
            value = utc;
            return true;
        }

        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out DateTimeOffset time))
        {
            value = time.UtcDateTime;
            return true;
        }

        value = default;
        return false;
    }

    private static bool TryReadDouble(ref Utf8JsonReader reader, out double value)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value) && double.IsFinite(value))
        {
            return true;
        }

        value = double.NaN;
        return false;
    }

    private static bool TryReadInt(ref Utf8JsonReader reader, out int value)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value))
        {
            return true;
        }

        value = 0;
        return false;
    }

    private static bool TryReadBool(ref Utf8JsonReader reader, out bool value)
    {
        value = reader.TokenType == JsonTokenType.True;
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
    }

    private static Field? IdentifyTopLevel(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return IdentifyEscaped(ref reader);
        }

        ReadOnlySpan<byte> name = reader.ValueSpan;
        return name.Length switch
        {
            2 when name.SequenceEqual("id"u8) => Field.Id,
            4 when name.SequenceEqual("type"u8) => Field.Type,
            4 when name.SequenceEqual("time"u8) => Field.Time,
            4 when name.SequenceEqual("dump"u8) => Field.Dump,
            5 when name.SequenceEqual("state"u8) => Field.State,
            5 when name.SequenceEqual("stack"u8) => Field.Stack,
            5 when name.SequenceEqual("dumps"u8) => Field.Dumps,
            5 when name.SequenceEqual("error"u8) => Field.Error,
            6 when name.SequenceEqual("thread"u8) => Field.Thread,
            6 when name.SequenceEqual("frames"u8) => Field.Frames,
            6 when name.SequenceEqual("sameAs"u8) => Field.SameAs,
            6 when name.SequenceEqual("status"u8) => Field.Status,
            6 when name.SequenceEqual("notice"u8) => Field.Notice,
            6 when name.SequenceEqual("format"u8) => Field.Format,
            7 when name.SequenceEqual("request"u8) => Field.Request,
            7 when name.SequenceEqual("outcome"u8) => Field.Outcome,
            7 when name.SequenceEqual("version"u8) => Field.Version,
            7 when name.SequenceEqual("process"u8) => Field.Process,
            9 when name.SequenceEqual("elapsedMs"u8) => Field.ElapsedMs,
            9 when name.SequenceEqual("truncated"u8) => Field.Truncated,
            9 when name.SequenceEqual("requestId"u8) => Field.RequestId,
            10 when name.SequenceEqual("durationMs"u8) => Field.DurationMs,
            10 when name.SequenceEqual("intervalMs"u8) => Field.IntervalMs,
            11 when name.SequenceEqual("thresholdMs"u8) => Field.ThresholdMs,
            12 when name.SequenceEqual("continuation"u8) => Field.Continuation,
            14 when name.SequenceEqual("recordsDropped"u8) => Field.RecordsDropped,
            _ => null,
        };
    }

    private static Field? IdentifyEscaped(ref Utf8JsonReader reader)
    {
        // Rare: a writer that escapes property names. Compare through the reader, which unescapes.
        foreach (Field field in Enum.GetValues<Field>())
        {
            if (reader.ValueTextEquals(FieldName(field)))
            {
                return field;
            }
        }

        return null;
    }

    private static string FieldName(Field field) => field switch
    {
        Field.ElapsedMs => "elapsedMs",
        Field.SameAs => "sameAs",
        Field.RequestId => "requestId",
        Field.DurationMs => "durationMs",
        Field.ThresholdMs => "thresholdMs",
        Field.IntervalMs => "intervalMs",
        Field.RecordsDropped => "recordsDropped",
        _ => field.ToString().ToLowerInvariant(),
    };
}

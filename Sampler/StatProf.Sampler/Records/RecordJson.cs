using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StatProf.Sampler.Records;

/// <summary>
/// Writes records as JSON lines, the format of <c>docs/record-format.md</c>: one object a line,
/// no indentation, <c>type</c> first. Field names are a contract that readers depend on.
/// </summary>
/// <remarks>
/// <para>
/// Written with <see cref="Utf8JsonWriter"/> directly (no reflection serializer). With a reused
/// buffer and writer (<see cref="WriteLine"/>) a record costs no allocation in steady state: the
/// traceback is built in a pooled buffer.
/// </para>
/// <para>
/// Escaping uses <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: quotes, backslashes
/// and control characters are escaped as JSON requires, but <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>,
/// <c>'</c>, <c>+</c> and non-ASCII letters are written as they are. Record files are JSON, never
/// embedded in HTML or script as they are, and frame names are full of angle brackets
/// (<c>&lt;Main&gt;$</c>, <c>&lt;&gt;c__DisplayClass0_0</c>) that people grep for. Whatever renders
/// record contents into markup must escape them itself (DESIGN.md, known traps). Invalid UTF-16
/// (a lone surrogate) is written as U+FFFD.
/// </para>
/// <para>
/// Times are written UTC in the round-trip format with 7 fraction digits and <c>Z</c>
/// (<c>2026-11-21T21:40:00.1234567Z</c>); a <see cref="DateTimeKind.Local"/> time is converted, an
/// <see cref="DateTimeKind.Unspecified"/> one is taken as UTC. Milliseconds are rounded to 0.1 ms;
/// a non-finite value (NaN, infinity: a bug upstream) is written as 0 so that the line stays JSON.
/// </para>
/// </remarks>
internal static class RecordJson
{
    /// <summary>The writer options every record is written with: compact, relaxed escaping.</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The <c>state</c> value of a dump.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="DumpState"/>.</exception>
    public static string StateName(DumpState state) => state switch
    {
        DumpState.Running => "running",
        DumpState.Waiting => "waiting",
        DumpState.Awaiting => "awaiting",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown dump state."),
    };

    /// <summary>
    /// Writes <paramref name="record"/> and a <c>'\n'</c> into <paramref name="buffer"/>, which is
    /// cleared first; <paramref name="writer"/> is reset onto it. Both are meant to be reused, by one
    /// thread. On an exception the buffer holds a partial line: do not write it out.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown record type or dump state.</exception>
    public static void WriteLine(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, Record record)
    {
        buffer.Clear();
        writer.Reset(buffer);
        Write(writer, record);
        writer.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
    }

    /// <summary>One record as its line of text, without the <c>'\n'</c>. Allocates: for tools and tests.</summary>
    public static string Serialize(Record record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, record);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes one record as a JSON object (no newline) with <paramref name="writer"/>.</summary>
    /// <exception cref="ArgumentException">An unknown record type or dump state.</exception>
    public static void Write(Utf8JsonWriter writer, Record record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        switch (record)
        {
            case DumpRecord dump:
                WriteDump(writer, dump);
                break;
            case StackRecord stack:
                WriteStack(writer, stack);
                break;
            case SameRecord same:
                WriteSame(writer, same);
                break;
            case EndRecord end:
                WriteEnd(writer, end);
                break;
            case HeaderRecord header:
                WriteHeader(writer, header);
                break;
            case StatsRecord stats:
                WriteStats(writer, stats);
                break;
            default:
                throw new ArgumentException($"Unknown record type {record.GetType().Name}.", nameof(record));
        }
    }

    /// <summary>
    /// The traceback text of a root-first stack: leaf first, like a .NET exception's stack trace,
    /// one <c>"   at Name"</c> line a frame, joined by <c>'\n'</c>, no trailing newline. Allocates:
    /// for tools and tests; the writer builds the same text in a pooled buffer.
    /// </summary>
    public static string Traceback(IReadOnlyList<FrameRecord> frames)
    {
        char[] rented = ArrayPool<char>.Shared.Rent(TracebackLength(frames));
        try
        {
            return new string(rented, 0, FillTraceback(frames, rented));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static void WriteHeader(Utf8JsonWriter w, HeaderRecord r)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "header"u8);
        WriteTime(w, "time"u8, r.Time);
        w.WriteString("format"u8, HeaderRecord.FormatName);
        w.WriteNumber("version"u8, HeaderRecord.FormatVersion);
        w.WriteStartObject("process"u8);
        w.WriteNumber("pid"u8, r.ProcessId);
        w.WriteString("name"u8, r.ProcessName);
        w.WriteString("runtime"u8, r.Runtime);
        w.WriteEndObject();
        WriteMs(w, "thresholdMs"u8, r.ThresholdMs);
        WriteMs(w, "intervalMs"u8, r.IntervalMs);
        w.WriteBoolean("continuation"u8, r.Continuation);
        w.WriteEndObject();
    }

    private static void WriteDump(Utf8JsonWriter w, DumpRecord r)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "dump"u8);
        WriteTime(w, "time"u8, r.Time);
        WriteMs(w, "elapsedMs"u8, r.ElapsedMs);
        w.WriteNumber("dump"u8, r.Dump);
        WriteThread(w, r.Thread);
        w.WriteString("state"u8, StateName(r.State));
        w.WriteNumber("stack"u8, r.StackId);

        // Last: a request's dumps repeat its object byte for byte, and a reader can recognise it
        // at the end of the line without reading it again.
        WriteRequest(w, r.Request);
        w.WriteEndObject();
    }

    private static void WriteStack(Utf8JsonWriter w, StackRecord r)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "stack"u8);
        WriteTime(w, "time"u8, r.Time);
        w.WriteNumber("id"u8, r.Id);
        w.WriteBoolean("truncated"u8, r.Truncated);
        IReadOnlyList<FrameRecord> frames = r.Frames ?? [];
        w.WriteStartArray("frames"u8);
        for (int i = 0; i < frames.Count; i++)
        {
            FrameRecord frame = frames[i];
            w.WriteStartObject();
            w.WriteString("name"u8, frame.Name ?? string.Empty);
            w.WriteString("module"u8, frame.Module ?? string.Empty);
            if (frame.File is not null && frame.Line > 0)
            {
                // Optional (format 2 readers ignore fields they do not know): only where a PDB gave them.
                w.WriteString("file"u8, frame.File);
                w.WriteNumber("line"u8, frame.Line);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        char[] rented = ArrayPool<char>.Shared.Rent(TracebackLength(frames));
        try
        {
            w.WriteString("traceback"u8, rented.AsSpan(0, FillTraceback(frames, rented)));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        if (r.Notice is not null)
        {
            w.WriteString("notice"u8, r.Notice);
        }
        else
        {
            w.WriteNull("notice"u8);
        }

        w.WriteEndObject();
    }

    private static void WriteSame(Utf8JsonWriter w, SameRecord r)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "same"u8);
        WriteTime(w, "time"u8, r.Time);
        w.WriteString("requestId"u8, r.RequestId ?? string.Empty);
        WriteMs(w, "elapsedMs"u8, r.ElapsedMs);
        w.WriteNumber("dump"u8, r.Dump);
        WriteThread(w, r.Thread);
        w.WriteString("state"u8, StateName(r.State));
        w.WriteNumber("sameAs"u8, r.SameAs);
        w.WriteEndObject();
    }

    private static void WriteEnd(Utf8JsonWriter w, EndRecord r)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "end"u8);
        WriteTime(w, "time"u8, r.Time);
        WriteRequest(w, r.Request);
        WriteMs(w, "durationMs"u8, r.DurationMs);
        w.WriteNumber("dumps"u8, r.Dumps);
        w.WriteString("outcome"u8, r.Outcome ?? string.Empty);
        if (r.Status is int status)
        {
            w.WriteNumber("status"u8, status);
        }
        else
        {
            w.WriteNull("status"u8);
        }

        w.WriteString("error"u8, r.Error); // null is written as null
        w.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter w, StatsRecord r)
    {
        SamplerCounters s = r.Sampler ?? new SamplerCounters();
        w.WriteStartObject();
        w.WriteString("type"u8, "stats"u8);
        WriteTime(w, "time"u8, r.Time);
        w.WriteStartObject("sampler"u8);
        w.WriteNumber("ticks"u8, s.Ticks);
        w.WriteNumber("samplesSeen"u8, s.SamplesSeen);
        w.WriteNumber("samplesKept"u8, s.SamplesKept);
        w.WriteNumber("samplesFilteredOut"u8, s.SamplesFilteredOut);
        w.WriteNumber("droppedByOverflow"u8, s.DroppedByOverflow);
        w.WriteNumber("lostByRuntime"u8, s.LostByRuntime);
        w.WriteNumber("truncatedStacks"u8, s.TruncatedStacks);
        w.WriteNumber("stackTableFull"u8, s.StackTableFull);
        w.WriteNumber("trims"u8, s.Trims);
        w.WriteNumber("sessions"u8, s.Sessions);
        w.WriteNumber("faults"u8, s.Faults);
        w.WriteEndObject();
        w.WriteNumber("recordsWritten"u8, r.RecordsWritten);
        w.WriteNumber("recordsDropped"u8, r.RecordsDropped);
        w.WriteNumber("slowRequests"u8, r.SlowRequests);
        w.WriteNumber("activations"u8, r.Activations);
        w.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter w, RequestInfo r)
    {
        w.WriteStartObject("request"u8);
        w.WriteString("id"u8, r.Id ?? string.Empty);
        w.WriteString("kind"u8, r.Kind ?? string.Empty);
        w.WriteString("name"u8, r.Name ?? string.Empty);
        WriteTime(w, "startedAt"u8, r.StartedAt);
        w.WriteString("traceId"u8, r.TraceId); // null is written as null
        w.WriteStartObject("tags"u8);
        IReadOnlyList<KeyValuePair<string, string>> tags = r.Tags ?? [];
        for (int i = 0; i < tags.Count; i++)
        {
            // A JSON object's keys must be unique: the first occurrence of a key is written, at
            // its place, with the value of its last occurrence (a later duplicate overwrites).
            // Quadratic, but requests carry a handful of tags.
            string key = tags[i].Key ?? string.Empty;
            if (IndexOfKey(tags, key, 0, i) >= 0)
            {
                continue;
            }

            int last = i;
            for (int j = i + 1; j < tags.Count; j++)
            {
                if (string.Equals(tags[j].Key ?? string.Empty, key, StringComparison.Ordinal))
                {
                    last = j;
                }
            }

            w.WriteString(key, tags[last].Value ?? string.Empty);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static int IndexOfKey(IReadOnlyList<KeyValuePair<string, string>> tags, string key, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            if (string.Equals(tags[i].Key ?? string.Empty, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static void WriteThread(Utf8JsonWriter w, ThreadRef thread)
    {
        w.WriteStartObject("thread"u8);
        w.WriteNumber("os"u8, thread.Os);
        w.WriteNumber("managed"u8, thread.Managed);
        w.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTime time)
    {
        // Utf8JsonWriter's own DateTime overload trims trailing fraction zeros; the format promises
        // 7 digits, so format "O" here. A UTC DateTime in "O" is 28 bytes.
        DateTime utc = time.Kind switch
        {
            DateTimeKind.Local => time.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
            _ => time,
        };
        Span<byte> text = stackalloc byte[40];
        if (!utc.TryFormat(text, out int written, "O", CultureInfo.InvariantCulture))
        {
            throw new FormatException("A record time did not fit its buffer.");
        }

        w.WriteString(name, text[..written]);
    }

    private static void WriteMs(Utf8JsonWriter w, ReadOnlySpan<byte> name, double ms)
    {
        // + 0.0 turns -0 into 0.
        double rounded = double.IsFinite(ms) ? Math.Round(ms, 1, MidpointRounding.AwayFromZero) + 0.0 : 0.0;
        w.WriteNumber(name, rounded);
    }

    private const string TracebackPrefix = "   at ";
    private const string TracebackIn = " in ";
    private const string TracebackLine = ":line ";

    private static int TracebackLength(IReadOnlyList<FrameRecord> frames)
    {
        int length = 0;
        for (int i = 0; i < frames.Count; i++)
        {
            length += TracebackPrefix.Length + (frames[i].Name?.Length ?? 0) + 1;
            if (HasLine(frames[i]))
            {
                length += TracebackIn.Length + frames[i].File!.Length + TracebackLine.Length + 11;
            }
        }

        return length;
    }

    private static bool HasLine(FrameRecord frame) => frame.File is not null && frame.Line > 0;

    private static int FillTraceback(IReadOnlyList<FrameRecord> frames, Span<char> into)
    {
        int at = 0;
        for (int i = frames.Count - 1; i >= 0; i--)
        {
            if (i != frames.Count - 1)
            {
                into[at++] = '\n';
            }

            TracebackPrefix.AsSpan().CopyTo(into[at..]);
            at += TracebackPrefix.Length;
            string name = frames[i].Name ?? string.Empty;
            name.AsSpan().CopyTo(into[at..]);
            at += name.Length;
            if (HasLine(frames[i]))
            {
                // As .NET prints an exception's frames: "   at N.T.M(A) in /src/File.cs:line 42".
                TracebackIn.AsSpan().CopyTo(into[at..]);
                at += TracebackIn.Length;
                frames[i].File.AsSpan().CopyTo(into[at..]);
                at += frames[i].File!.Length;
                TracebackLine.AsSpan().CopyTo(into[at..]);
                at += TracebackLine.Length;
                frames[i].Line.TryFormat(into[at..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
                at += digits;
            }
        }

        return at;
    }
}

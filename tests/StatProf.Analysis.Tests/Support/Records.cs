using System.Globalization;
using System.Text;
using System.Text.Json;

namespace StatProf.Analysis.Tests.Support;

/// <summary>Record lines written as the Sampler's long-request logger writes them (the contract of the record format).</summary>
internal static class Records
{
    public static readonly DateTime T0 = new(2026, 11, 21, 21, 40, 0, DateTimeKind.Utc);

    public static string Header(int pid = 123, bool continuation = false, double thresholdMs = 2000, double intervalMs = 1000, string name = "ShopDemo", int version = 1) =>
        Json(w =>
        {
            w.WriteString("type", "header");
            w.WriteString("time", T0);
            w.WriteString("format", "statprof-records");
            w.WriteNumber("version", version);
            w.WriteStartObject("process");
            w.WriteNumber("pid", pid);
            w.WriteString("name", name);
            w.WriteString("runtime", ".NET 10.0.12");
            w.WriteEndObject();
            w.WriteNumber("thresholdMs", thresholdMs);
            w.WriteNumber("intervalMs", intervalMs);
            w.WriteBoolean("continuation", continuation);
        });

    public static string Stats(long recordsDropped = 0) => Json(w =>
    {
        w.WriteString("type", "stats");
        w.WriteString("time", T0);
        w.WriteNumber("recordsWritten", 10);
        w.WriteNumber("recordsDropped", recordsDropped);
    });

    /// <summary>A format-version-2 <c>stack</c> line.</summary>
    public static string Stack(long id, bool truncated, params string[] framesRootFirst) => Json(w =>
    {
        w.WriteString("type", "stack");
        w.WriteString("time", T0);
        w.WriteNumber("id", id);
        w.WriteBoolean("truncated", truncated);
        Records.WriteFrames(w, framesRootFirst);
    });

    /// <summary>A stack's <c>frames</c> (root first, module <c>Shop</c>) and its <c>traceback</c>.</summary>
    internal static void WriteFrames(Utf8JsonWriter w, string[] framesRootFirst)
    {
        w.WriteStartArray("frames");
        foreach (string frame in framesRootFirst)
        {
            w.WriteStartObject();
            w.WriteString("name", frame);
            w.WriteString("module", "Shop");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("traceback", string.Join("\n", framesRootFirst.Reverse().Select(f => "   at " + f)));
    }

    internal static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static string Iso(DateTime time) => time.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>
/// A slow request of a hand-made record file: dump n is taken at elapsed T + (n - 1) I, as the
/// logger takes them (one every interval I once the request passed the threshold T).
/// </summary>
internal sealed class FakeRequest(string id, string name = "GET /orders/42", int osThread = 1234, double thresholdMs = 2000, double intervalMs = 1000)
{
    public string Id { get; } = id;

    public Dictionary<string, string> Tags { get; } = new() { ["User-Agent"] = "curl/8" };

    public string Kind { get; init; } = "http";

    public string? TraceId { get; init; } = "4bf92f3577b34da6a3ce929d0e0e4736";

    public DateTime StartedAt { get; init; } = Records.T0;

    public int OsThread { get; set; } = osThread;

    public double ElapsedAt(int dump) => thresholdMs + ((dump - 1) * intervalMs) + 0.5;

    public string Dump(int number, params string[] framesRootFirst) => Dump(number, DumpState.Running, framesRootFirst);

    public string Dump(int number, DumpState state, params string[] framesRootFirst) => Records.Json(w =>
    {
        double elapsed = ElapsedAt(number);
        w.WriteString("type", "dump");
        w.WriteString("time", StartedAt.AddMilliseconds(elapsed));
        WriteRequest(w);
        WriteSampleFields(w, number, elapsed, state);
        w.WriteBoolean("truncated", false);
        Records.WriteFrames(w, framesRootFirst);
    });

    /// <summary>
    /// A format-version-2 dump: its stack is the <c>stack</c> line with this id; its request object
    /// last, as the writer puts it (or, with <paramref name="requestLast"/> false, second).
    /// </summary>
    public string DumpOf(int number, long stack, DumpState state = DumpState.Running, bool requestLast = true) => Records.Json(w =>
    {
        double elapsed = ElapsedAt(number);
        w.WriteString("type", "dump");
        w.WriteString("time", StartedAt.AddMilliseconds(elapsed));
        if (!requestLast)
        {
            WriteRequest(w);
        }

        WriteSampleFields(w, number, elapsed, state);
        w.WriteNumber("stack", stack);
        if (requestLast)
        {
            WriteRequest(w);
        }
    });

    public string Same(int number, int sameAs, DumpState state = DumpState.Running) => Records.Json(w =>
    {
        double elapsed = ElapsedAt(number);
        w.WriteString("type", "same");
        w.WriteString("time", StartedAt.AddMilliseconds(elapsed));
        w.WriteString("requestId", Id);
        WriteSampleFields(w, number, elapsed, state);
        w.WriteNumber("sameAs", sameAs);
    });

    public string End(double durationMs, string outcome = "ok", int? status = 200, string? error = null, int dumps = 0) => Records.Json(w =>
    {
        w.WriteString("type", "end");
        w.WriteString("time", StartedAt.AddMilliseconds(durationMs));
        WriteRequest(w);
        w.WriteNumber("durationMs", durationMs);
        w.WriteNumber("dumps", dumps);
        w.WriteString("outcome", outcome);
        if (status is { } s)
        {
            w.WriteNumber("status", s);
        }
        else
        {
            w.WriteNull("status");
        }

        if (error is null)
        {
            w.WriteNull("error");
        }
        else
        {
            w.WriteString("error", error);
        }
    });

    private static string State(DumpState state) => state switch
    {
        DumpState.Running => "running",
        DumpState.Waiting => "waiting",
        _ => "awaiting",
    };

    /// <summary>What every sample record has: elapsed time, dump number, thread, state.</summary>
    private void WriteSampleFields(Utf8JsonWriter w, int number, double elapsed, DumpState state)
    {
        w.WriteNumber("elapsedMs", elapsed);
        w.WriteNumber("dump", number);
        w.WriteStartObject("thread");
        w.WriteNumber("os", OsThread);
        w.WriteNumber("managed", 7);
        w.WriteEndObject();
        w.WriteString("state", State(state));
    }

    private void WriteRequest(Utf8JsonWriter w)
    {
        w.WriteStartObject("request");
        w.WriteString("id", Id);
        w.WriteString("kind", Kind);
        w.WriteString("name", name);
        w.WriteString("startedAt", StartedAt);
        if (TraceId is null)
        {
            w.WriteNull("traceId");
        }
        else
        {
            w.WriteString("traceId", TraceId);
        }

        w.WriteStartObject("tags");
        foreach ((string key, string value) in Tags)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>Reads record lines through the real reader, from memory.</summary>
internal static class Read
{
    public static RecordSet Lines(params string[] lines) => Lines((IEnumerable<string>)lines);

    public static RecordSet Lines(IEnumerable<string> lines, RecordReaderOptions? options = null)
    {
        var reader = new RecordReader(options);
        byte[] bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        using var stream = new MemoryStream(bytes);
        reader.Read(stream, "test.jsonl");
        return reader.Complete();
    }

    public static RecordSet Bytes(byte[] bytes, RecordReaderOptions? options = null)
    {
        var reader = new RecordReader(options);
        using var stream = new MemoryStream(bytes);
        reader.Read(stream, "test.jsonl");
        return reader.Complete();
    }

    /// <summary>Analyses with no ignore rule, so hand-made frame names are counted as written.</summary>
    public static Profile Analyze(RecordSet set, RequestFilter? where = null) =>
        Analyzer.Analyze(set, new AnalysisOptions { Ignore = IgnoreSet.None, Where = where });
}

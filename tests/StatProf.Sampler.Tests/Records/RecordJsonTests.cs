using System.Buffers;
using System.Text;
using System.Text.Json;
using StatProf.Sampler.Records;
using Record = StatProf.Sampler.Records.Record; // not Xunit.Record
using static StatProf.Sampler.Tests.Records.RecordFiles;

namespace StatProf.Sampler.Tests.Records;

public sealed class RecordJsonTests
{
    public static TheoryData<string> RecordTypes => ["header", "stack", "dump", "same", "end", "stats"];

    private static Record OfType(string type) => type switch
    {
        "header" => Header(),
        "stack" => StackOf(Dump()),
        "dump" => Dump() with { StackId = 1 },
        "same" => Same(),
        "end" => End(),
        "stats" => Stats(),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static JsonElement Parse(Record record) => JsonDocument.Parse(RecordJson.Serialize(record)).RootElement;

    private static StackRecord StackOf(DumpRecord dump, long id = 1) => new(dump.Time, id, dump.Frames, dump.Truncated);

    [Fact]
    public void HeaderIsWrittenExactlyAsTheFormatSays()
    {
        var header = new HeaderRecord(T0.AddTicks(1_234_567), 123, "ShopDemo", ".NET 10.0.12", 2000, 1000, false);

        Assert.Equal(
            """{"type":"header","time":"2026-11-21T21:40:00.1234567Z","format":"statprof-records","version":2,"process":{"pid":123,"name":"ShopDemo","runtime":".NET 10.0.12"},"thresholdMs":2000,"intervalMs":1000,"continuation":false}""",
            RecordJson.Serialize(header));
    }

    [Fact]
    public void SameIsWrittenExactlyAsTheFormatSays()
    {
        Assert.Equal(
            """{"type":"same","time":"2026-11-21T21:40:03.0000000Z","requestId":"0HN1","elapsedMs":3001.2,"dump":2,"thread":{"os":1234,"managed":7},"state":"waiting","sameAs":1}""",
            RecordJson.Serialize(Same()));
    }

    [Theory]
    [MemberData(nameof(RecordTypes))]
    public void EveryRecordTypeValidatesAgainstTheSchema(string type)
    {
        string json = RecordJson.Serialize(OfType(type));

        RecordSchema.Records.AssertValid(json);
        Assert.Equal(type, JsonDocument.Parse(json).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void AnEndWithAStatusAndAnErrorValidatesToo()
    {
        RecordSchema.Records.AssertValid(RecordJson.Serialize(End(500, "System.InvalidOperationException")));
    }

    [Fact]
    public void HeaderRoundTripsEveryField()
    {
        JsonElement json = Parse(Header(continuation: true));

        Assert.Equal("2026-11-21T21:40:00.0000000Z", json.GetProperty("time").GetString());
        Assert.Equal("statprof-records", json.GetProperty("format").GetString());
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        Assert.Equal(123, json.GetProperty("process").GetProperty("pid").GetInt32());
        Assert.Equal("ShopDemo", json.GetProperty("process").GetProperty("name").GetString());
        Assert.Equal(".NET 10.0.12", json.GetProperty("process").GetProperty("runtime").GetString());
        Assert.Equal(2000, json.GetProperty("thresholdMs").GetDouble());
        Assert.Equal(1000, json.GetProperty("intervalMs").GetDouble());
        Assert.True(json.GetProperty("continuation").GetBoolean());
    }

    [Fact]
    public void DumpRoundTripsEveryField()
    {
        JsonElement json = Parse(Dump() with { StackId = 17 });

        Assert.Equal("dump", json.GetProperty("type").GetString());
        Assert.Equal("2026-11-21T21:40:02.0000000Z", json.GetProperty("time").GetString());
        AssertRequest(json.GetProperty("request"));
        Assert.Equal(2001.5, json.GetProperty("elapsedMs").GetDouble());
        Assert.Equal(1, json.GetProperty("dump").GetInt32());
        Assert.Equal(1234, json.GetProperty("thread").GetProperty("os").GetInt32());
        Assert.Equal(7, json.GetProperty("thread").GetProperty("managed").GetInt32());
        Assert.Equal("running", json.GetProperty("state").GetString());
        Assert.Equal(17, json.GetProperty("stack").GetInt64());
        Assert.False(json.TryGetProperty("frames", out _)); // the stack is its own line, once per file
        Assert.False(json.TryGetProperty("traceback", out _));
    }

    [Fact]
    public void StackRoundTripsEveryField()
    {
        JsonElement json = Parse(StackOf(Dump(), id: 5) with { Truncated = true });

        Assert.Equal("stack", json.GetProperty("type").GetString());
        Assert.Equal("2026-11-21T21:40:02.0000000Z", json.GetProperty("time").GetString());
        Assert.Equal(5, json.GetProperty("id").GetInt64());
        Assert.True(json.GetProperty("truncated").GetBoolean());
        Assert.Equal(3, json.GetProperty("frames").GetArrayLength());
        Assert.All(json.GetProperty("frames").EnumerateArray(), f => Assert.Equal("m", f.GetProperty("module").GetString()));
    }

    [Fact]
    public void StackFramesAreRootFirstAndTheTracebackIsLeafFirst()
    {
        JsonElement json = Parse(StackOf(Dump()));

        Assert.Equal(
            ["Root()", "Caller1()", "Leaf()"],
            json.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal("   at Leaf()\n   at Caller1()\n   at Root()", json.GetProperty("traceback").GetString());
    }

    [Fact]
    public void AnEmptyStackHasNoFramesAndAnEmptyTraceback()
    {
        StackRecord empty = StackOf(Dump() with { Frames = [] });

        JsonElement json = Parse(empty);

        Assert.Equal(0, json.GetProperty("frames").GetArrayLength());
        Assert.Equal(string.Empty, json.GetProperty("traceback").GetString());
        RecordSchema.Records.AssertValid(RecordJson.Serialize(empty));
    }

    [Fact]
    public void SameRoundTripsEveryField()
    {
        JsonElement json = Parse(Same(dump: 4) with { State = DumpState.Awaiting, SameAs = 2 });

        Assert.Equal("0HN1", json.GetProperty("requestId").GetString());
        Assert.Equal(3001.2, json.GetProperty("elapsedMs").GetDouble());
        Assert.Equal(4, json.GetProperty("dump").GetInt32());
        Assert.Equal(1234, json.GetProperty("thread").GetProperty("os").GetInt32());
        Assert.Equal("awaiting", json.GetProperty("state").GetString());
        Assert.Equal(2, json.GetProperty("sameAs").GetInt32());
    }

    [Fact]
    public void EndRoundTripsEveryField()
    {
        JsonElement ok = Parse(End());
        JsonElement failed = Parse(End(null, "System.InvalidOperationException"));

        Assert.Equal("2026-11-21T21:40:04.0000000Z", ok.GetProperty("time").GetString());
        AssertRequest(ok.GetProperty("request"));
        Assert.Equal(3400.2, ok.GetProperty("durationMs").GetDouble());
        Assert.Equal(3, ok.GetProperty("dumps").GetInt32());
        Assert.Equal("ok", ok.GetProperty("outcome").GetString());
        Assert.Equal(200, ok.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("error").ValueKind);
        Assert.Equal("error", failed.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("status").ValueKind);
        Assert.Equal("System.InvalidOperationException", failed.GetProperty("error").GetString());
    }

    [Fact]
    public void StatsRoundTripsEveryCounter()
    {
        JsonElement json = Parse(Stats());
        JsonElement sampler = json.GetProperty("sampler");

        string[] names = ["ticks", "samplesSeen", "samplesKept", "samplesFilteredOut", "droppedByOverflow", "lostByRuntime", "truncatedStacks", "stackTableFull", "trims", "sessions", "faults"];
        Assert.Equal(names, sampler.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), sampler.EnumerateObject().Select(p => p.Value.GetInt64()));
        Assert.Equal(12, json.GetProperty("recordsWritten").GetInt64());
        Assert.Equal(13, json.GetProperty("recordsDropped").GetInt64());
        Assert.Equal(14, json.GetProperty("slowRequests").GetInt64());
        Assert.Equal(15, json.GetProperty("activations").GetInt64());
    }

    [Fact]
    public void ANullTraceIdIsWrittenAsNull()
    {
        JsonElement json = Parse(End() with { Request = Request() with { TraceId = null } });

        Assert.Equal(JsonValueKind.Null, json.GetProperty("request").GetProperty("traceId").ValueKind);
    }

    [Fact]
    public void TimesAreUtcWithSevenFractionDigitsAndZ()
    {
        var local = new DateTime(2026, 11, 21, 22, 40, 0, DateTimeKind.Local);
        var unspecified = new DateTime(2026, 11, 21, 21, 40, 0, 500, DateTimeKind.Unspecified);

        Assert.Equal(local.ToUniversalTime().ToString("O"), Parse(Same() with { Time = local }).GetProperty("time").GetString());
        Assert.Equal("2026-11-21T21:40:00.5000000Z", Parse(Same() with { Time = unspecified }).GetProperty("time").GetString());
    }

    [Fact]
    public void MillisecondsAreRoundedToATenthAndNeverNaN()
    {
        Assert.Equal("2001.5", Parse(Same() with { ElapsedMs = 2001.46 }).GetProperty("elapsedMs").GetRawText());
        Assert.Equal("7", Parse(Same() with { ElapsedMs = 7.0001 }).GetProperty("elapsedMs").GetRawText());
        Assert.Equal("0", Parse(Same() with { ElapsedMs = -0.01 }).GetProperty("elapsedMs").GetRawText());
        Assert.Equal("0", Parse(Same() with { ElapsedMs = double.NaN }).GetProperty("elapsedMs").GetRawText());
        Assert.Equal("0", Parse(Same() with { ElapsedMs = double.PositiveInfinity }).GetProperty("elapsedMs").GetRawText());
    }

    [Fact]
    public void ALaterDuplicateTagOverwritesTheEarlierOne()
    {
        RequestInfo request = Request() with
        {
            Tags = [new("a", "1"), new("b", "2"), new("a", "3"), new("c", "4"), new("b", "5")],
        };

        string json = RecordJson.Serialize(End() with { Request = request });
        JsonElement tags = JsonDocument.Parse(json).RootElement.GetProperty("request").GetProperty("tags");

        Assert.Equal(["a=3", "b=5", "c=4"], tags.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}"));
        RecordSchema.Records.AssertValid(json);
    }

    [Fact]
    public void StringsAreEscapedAsJsonButAngleBracketsStayGreppable()
    {
        const string Name = "Program.<Main>$(\"quoted\", a\\b, line\nbreak, tab\t, é, <>c__DisplayClass0_0)";
        StackRecord stack = StackOf(Dump() with { Frames = [new FrameRecord(Name, "app")] });

        string json = RecordJson.Serialize(stack);

        Assert.Contains("Program.<Main>$(\\\"quoted\\\", a\\\\b, line\\nbreak, tab\\t, é, <>c__DisplayClass0_0)", json, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', json);
        Assert.Equal(Name, JsonDocument.Parse(json).RootElement.GetProperty("frames")[0].GetProperty("name").GetString());
        Assert.Equal("   at " + Name, JsonDocument.Parse(json).RootElement.GetProperty("traceback").GetString());
    }

    [Fact]
    public void WriteLineWritesOneLineEndingInANewlineAndReusesItsBuffer()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, RecordJson.WriterOptions);

        RecordJson.WriteLine(buffer, writer, StackOf(Dump(frames: 50)));
        RecordJson.WriteLine(buffer, writer, Same());
        string line = Encoding.UTF8.GetString(buffer.WrittenSpan);

        Assert.Equal(RecordJson.Serialize(Same()) + "\n", line);
    }

    [Fact]
    public void WriteLineAllocatesNothingOnceItsBufferIsWarm()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, RecordJson.WriterOptions);
        Record[] records = [StackOf(Dump(frames: 64)), Dump(frames: 64) with { StackId = 3 }, Same(), End(), Stats(), Header()];
        foreach (Record record in records)
        {
            RecordJson.WriteLine(buffer, writer, record);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            foreach (Record record in records)
            {
                RecordJson.WriteLine(buffer, writer, record);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TracebackOfAStackIsItsFramesLeafFirst()
    {
        Assert.Equal("   at C()\n   at B()\n   at A()", RecordJson.Traceback([new("A()", "m"), new("B()", ""), new("C()", "m")]));
        Assert.Equal(string.Empty, RecordJson.Traceback([]));
    }

    [Fact]
    public void AnUnknownDumpStateIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordJson.Serialize(Same() with { State = (DumpState)42 }));
    }

    private static void AssertRequest(JsonElement request)
    {
        Assert.Equal("0HN1", request.GetProperty("id").GetString());
        Assert.Equal("http", request.GetProperty("kind").GetString());
        Assert.Equal("GET /orders/42?token=REDACTED", request.GetProperty("name").GetString());
        Assert.Equal("2026-11-21T21:40:00.1234567Z", request.GetProperty("startedAt").GetString());
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", request.GetProperty("traceId").GetString());
        Assert.Equal("curl/8", request.GetProperty("tags").GetProperty("User-Agent").GetString());
        Assert.Equal("REDACTED", request.GetProperty("tags").GetProperty("Authorization").GetString());
    }
}

using System.IO.Compression;
using System.Text;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Reading;

public sealed class RecordReaderTests
{
    [Fact]
    public void ReadsARequestFromItsDumpsSameRecordsAndEnd()
    {
        var r = new FakeRequest("0HN1", "GET /orders/42?token=REDACTED");
        RecordSet set = Read.Lines(
            Records.Header(pid: 123),
            r.Dump(1, "Shop.Program.Main()", "Shop.Orders.Get(int32)", "Shop.Db.Query()"),
            r.Same(2, sameAs: 1, DumpState.Waiting),
            r.Dump(3, "Shop.Program.Main()", "Shop.Orders.Get(int32)", "Shop.Pricing.Price()"),
            r.End(4400.2, "error", 500, "System.TimeoutException", dumps: 3));

        Request request = Assert.Single(set.Requests);
        Assert.Equal(123, request.ProcessId);
        Assert.Equal("0HN1", request.Id);
        Assert.Equal("http", request.Kind);
        Assert.Equal("GET /orders/42?token=REDACTED", request.Name);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", request.TraceId);
        Assert.Equal(Records.T0, request.StartedAt);
        Assert.Equal("curl/8", request.Tags["user-agent"]);
        Assert.Equal(3, request.Samples);
        Assert.Equal(new StateCounts(2, 1, 0), request.States);
        Assert.True(request.Ended);
        Assert.Equal(4400.2, request.DurationMs);
        Assert.Equal("error", request.Outcome);
        Assert.Equal(500, request.Status);
        Assert.Equal("System.TimeoutException", request.Error);
        Assert.Equal(new ThreadRef(1234, 7), Assert.Single(request.Threads));
        Assert.Equal(3, set.Samples);
        Assert.Equal(2, set.DistinctStacks);
        Assert.Equal(0, set.Skipped.Total);
        ProcessInfo process = Assert.Single(set.Processes);
        Assert.Equal(("ShopDemo", ".NET 10.0.12", 2000.0, 1000.0), (process.Name, process.Runtime, process.ThresholdMs, process.IntervalMs));
    }

    [Fact]
    public void SameRecordRepeatsTheStackOfTheDumpItNames()
    {
        var r = new FakeRequest("a");
        RecordSet set = Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "Query()"),
            r.Dump(2, "Main()", "Render()"),
            r.Same(3, sameAs: 1));

        Profile profile = Read.Analyze(set);

        Assert.Equal(2, profile.FindFrame("Query()")!.Self);
        Assert.Equal(1, profile.FindFrame("Render()")!.Self);
    }

    [Fact]
    public void ASameRecordMayNameAnEarlierSameRecord()
    {
        var r = new FakeRequest("a");

        RecordSet set = Read.Lines(Records.Header(), r.Dump(1, "Main()", "Query()"), r.Same(2, sameAs: 1), r.Same(3, sameAs: 2), r.Same(4, sameAs: 3));

        Assert.Equal(0, set.Skipped.Total);
        Assert.Equal(4, Read.Analyze(set).FindFrame("Query()")!.Self);
    }

    [Fact]
    public void ASameRecordNamingALostDumpIsAnOrphanNotAGuess()
    {
        var r = new FakeRequest("a");

        RecordSet set = Read.Lines(Records.Header(), r.Dump(1, "Main()", "A()"), r.Dump(3, "Main()", "A()"), r.Same(4, sameAs: 2), r.Same(5, sameAs: 3));

        Assert.Equal(1, set.Skipped.Orphan);
        Assert.Equal(3, set.Samples);
    }

    [Fact]
    public void FrameNamesEscapedByTheWriterAreReadUnescaped()
    {
        // Utf8JsonWriter's default encoder writes '<', '>' and '+' as \u003C, \u003E and \u002B.
        var r = new FakeRequest("a");
        string dump = r.Dump(1, "Program.<Main>$(class System.String[])", "Shop.Demo+OrderPage.PriceLine(int32)");
        Assert.Contains("\\u003CMain\\u003E", dump, StringComparison.Ordinal);

        Profile profile = Read.Analyze(Read.Lines(Records.Header(), dump));

        Assert.NotNull(profile.FindFrame("Program.<Main>$(class System.String[])"));
        Assert.Equal(1, profile.FindFrame("Shop.Demo+OrderPage.PriceLine(int32)")!.Self);
    }

    [Fact]
    public void FieldsAreReadInAnyOrderAndUnknownFieldsAreIgnored()
    {
        const string line = """{"frames":[{"module":"m","extra":[1,{"x":2}],"name":"Root()"},{"name":"Leaf()"}],"state":"waiting","future":{"a":[1,2,3]},"dump":1,"elapsedMs":2000,"thread":{"managed":3,"os":99},"time":"2026-11-21T21:40:02Z","request":{"tags":{"k":"v"},"id":"x","name":"job"},"type":"dump"}""";

        RecordSet set = Read.Lines(Records.Header(), line);

        Assert.Equal(0, set.Skipped.Total);
        Request request = Assert.Single(set.Requests);
        Assert.Equal(("x", "job", "v"), (request.Id, request.Name, request.Tags["k"]));
        Assert.Equal(new ThreadRef(99, 3), Assert.Single(request.Threads));
        Assert.Equal(new StateCounts(0, 1, 0), request.States);
    }

    [Fact]
    public void HostileLinesAreSkippedCountedByReasonAndReadingGoesOn()
    {
        var r = new FakeRequest("a");
        var bytes = new MemoryStream();
        void Line(string text) => bytes.Write(Encoding.UTF8.GetBytes(text + "\n"));
        Line(Records.Header());
        Line(r.Dump(1, "Main()", "Loop()", "A()"));
        Line("""{"type":"dump","request":{"id":"a"},"elapsedMs":3000,"du""");          // truncated JSON mid-file
        Line(new string('[', 10_000) + new string(']', 10_000));                          // nesting depth 10 000
        Line("{\"type\":\"dump\",\"frames\":[" + new string('x', 5 * 1024 * 1024) + "]}"); // a 5 MB line
        bytes.Write("{\"type\":\"stats\",\"note\":\""u8);                               // invalid UTF-8 bytes
        bytes.Write(new byte[] { 0xC3, 0x28, 0xFF, 0xFE });
        bytes.Write("\"}\n"u8);
        Line("""{"type":"dump","request":{"id":"a"},"elapsedMs":"soon","dump":"two","state":"running","time":"2026-11-21T21:40:03Z","frames":[]}"""); // wrong types
        Line("""{"type":"end","request":{"id":42},"durationMs":1}""");                  // wrong type nested
        Line("""{"type":"dump","request":{"id":"a"},"elapsedMs":3000,"dump":2,"state":"sleeping","time":"2026-11-21T21:40:03Z","frames":[]}"""); // unknown state
        Line("""[1,2,3]""");                                                             // JSON, not an object
        Line("""{"type":"heartbeat","time":"2026-11-21T21:40:03Z"}""");                 // unknown type
        Line("""{"time":"2026-11-21T21:40:03Z"}""");                                    // no type
        Line(new FakeRequest("ghost").Same(2, sameAs: 1));                              // same of an unknown request
        Line(r.Same(2, sameAs: 9));                                                     // same of an unknown dump
        Line(r.Dump(1, "Main()", "Again()"));                                           // duplicate dump number
        Line(r.Dump(2, "Main()", "Loop()", "B()"));                                     // still read after all that
        Line("");                                                                        // blank: not a record, not skipped
        Line(r.End(3500));
        bytes.Write("{\"type\":\"dump\",\"request\":{\"id\":\"b\"},\"elap"u8);          // last line cut by a crash

        RecordSet set = Read.Bytes(bytes.ToArray());

        SkippedLines skipped = set.Skipped;
        Assert.Equal(2, skipped.Malformed);
        Assert.Equal(1, skipped.Oversized);
        Assert.Equal(1, skipped.InvalidUtf8);
        Assert.Equal(5, skipped.WrongShape);
        Assert.Equal(1, skipped.UnknownType);
        Assert.Equal(2, skipped.Orphan);
        Assert.Equal(1, skipped.OutOfOrder);
        Assert.Equal(1, skipped.Truncated);
        Assert.Equal(14, skipped.Total);
        Request request = Assert.Single(set.Requests);
        Assert.Equal(2, request.Samples);
        Assert.True(request.Ended);
        RecordSource source = Assert.Single(set.Sources);
        Assert.Equal(source.Lines, source.Records + skipped.Total + 1); // + the blank line
        Assert.Equal(bytes.Length, source.Bytes);
    }

    [Fact]
    public void AnOversizedLineIsDiscardedAsItStreamsPastNotBuffered()
    {
        var r = new FakeRequest("a");
        var bytes = new MemoryStream();
        bytes.Write(Encoding.UTF8.GetBytes(Records.Header() + "\n"));
        bytes.Write(Encoding.UTF8.GetBytes("{\"type\":\"stats\",\"pad\":\""));
        bytes.Write(Enumerable.Repeat((byte)'y', 40 * 1024 * 1024).ToArray());
        bytes.Write("\"}\n"u8);
        bytes.Write(Encoding.UTF8.GetBytes(r.Dump(1, "Main()") + "\n"));
        byte[] file = bytes.ToArray();
        Read.Bytes(file); // warm up: the line buffer comes from the shared array pool

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordSet set = Read.Bytes(file);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1, set.Skipped.Oversized);
        Assert.Equal(1, set.Samples);
        Assert.True(allocated < 4 * 1024 * 1024, $"reading a 40 MB line allocated {allocated / 1024} KiB");
    }

    [Fact]
    public void ALastLineWithoutItsNewlineIsSkippedEvenWhenItParses()
    {
        var r = new FakeRequest("a");
        string text = Records.Header() + "\n" + r.Dump(1, "Main()") + "\n" + r.End(2100);

        RecordSet set = Read.Bytes(Encoding.UTF8.GetBytes(text));

        Assert.Equal(1, set.Skipped.Truncated);
        Assert.False(Assert.Single(set.Requests).Ended);
    }

    [Fact]
    public void ALineAtTheCapIsReadAndOneByteLongerIsSkipped()
    {
        var options = new RecordReaderOptions { MaxLineBytes = 1024 };
        string Pad(int length)
        {
            string prefix = "{\"type\":\"stats\",\"pad\":\"";
            return prefix + new string('p', length - prefix.Length - 2) + "\"}";
        }

        RecordSet set = Read.Lines([Pad(1024), Pad(1025), Pad(1024) + "\r"], options);

        Assert.Equal(1, set.Skipped.Oversized);
        Assert.Equal(2, set.Sources[0].Records);
    }

    [Fact]
    public void CarriageReturnsAndBlankLinesAreTolerated()
    {
        var r = new FakeRequest("a");
        string text = Records.Header() + "\r\n\r\n   \n" + r.Dump(1, "Main()") + "\r\n" + r.End(2100) + "\r\n";

        RecordSet set = Read.Bytes(Encoding.UTF8.GetBytes(text));

        Assert.Equal(0, set.Skipped.Total);
        Assert.Equal(1, set.Samples);
        Assert.True(set.Requests[0].Ended);
    }

    [Fact]
    public void RotatedFilesOfOneProcessContinueItsRequests()
    {
        using var dir = new TempDirectory();
        var r = new FakeRequest("0HN1");
        string first = dir.Write("statprof.1.jsonl", [Records.Header(pid: 7), r.Dump(1, "Main()", "Loop()", "A()"), r.Dump(2, "Main()", "Loop()", "B()")]);
        string second = dir.Write("statprof.2.jsonl", [Records.Header(pid: 7, continuation: true), r.Dump(3, "Main()", "Loop()", "C()"), r.End(4600)]);

        RecordSet set = RecordReader.ReadFiles([first, second]);
        Profile profile = Read.Analyze(set);

        Request request = Assert.Single(set.Requests);
        Assert.Equal(3, request.Samples);
        Assert.True(request.Ended);
        Spot spot = Assert.Single(profile.Spots);
        Assert.Equal(("Loop()", 2.0), (spot.Frame, spot.Seconds));
        Assert.Equal(2, set.Sources.Count);
    }

    [Fact]
    public void RequestsOfSeveralProcessesAreKeyedByPidAndId()
    {
        using var dir = new TempDirectory();
        var r = new FakeRequest("0HN1");
        string a = dir.Write("a.jsonl", [Records.Header(pid: 100), r.Dump(1, "Main()", "A()"), r.End(2500)]);
        string b = dir.Write("b.jsonl", [Records.Header(pid: 200), r.Dump(1, "Main()", "B()"), r.End(2600)]);

        RecordSet set = RecordReader.ReadFiles([a, b]);

        Assert.Equal(2, set.Requests.Count);
        Assert.Equal([100, 200], set.Requests.Select(q => q.ProcessId).Order());
        Assert.Equal(2, set.Processes.Count);
        Assert.Equal(0, set.Skipped.Total);
    }

    [Fact]
    public void AFileWithoutHeaderIsReadAsProcessZeroWithAWarning()
    {
        var r = new FakeRequest("a");

        RecordSet set = Read.Lines(r.Dump(1, "Main()"), r.End(2100));

        Assert.Equal(0, Assert.Single(set.Requests).ProcessId);
        Assert.Contains(set.Warnings, w => w.Contains("process 0", StringComparison.Ordinal));
        Assert.False(set.Sources[0].HasHeader);
    }

    [Fact]
    public void CompressedFilesAreRead()
    {
        using var dir = new TempDirectory();
        var r = new FakeRequest("a");
        string path = dir.File("records.jsonl.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Records.Header() + "\n" + r.Dump(1, "Main()") + "\n"));
        }

        RecordSet set = RecordReader.ReadFiles([path]);

        Assert.Equal(1, set.Samples);
    }

    [Fact]
    public void CorruptCompressedDataEndsThatFileWithAWarning()
    {
        using var dir = new TempDirectory();
        string path = dir.WriteBytes("broken.jsonl.gz", [0x1F, 0x8B, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        RecordSet set = RecordReader.ReadFiles([path]);

        Assert.Contains(set.Warnings, w => w.Contains("broken.jsonl.gz", StringComparison.Ordinal));
    }

    [Fact]
    public void LoggerDropsReportedInStatsAreSummed()
    {
        RecordSet set = Read.Lines(Records.Header(), Records.Stats(recordsDropped: 3), Records.Stats(recordsDropped: 4));

        Assert.Equal(7, set.LoggerDroppedRecords);
    }

    [Fact]
    public void RandomGarbageNeverThrowsAndEveryLineIsAccountedFor()
    {
        // Fixed seed: the same mutations on every run.
        var random = new Random(20261121);
        var r = new FakeRequest("a");
        string[] valid = [Records.Header(), r.Dump(1, "Main()", "A()"), r.Same(2, 1), r.End(3000)];
        var bytes = new MemoryStream();
        int lines = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] line = Encoding.UTF8.GetBytes(valid[random.Next(valid.Length)]);
            int mutations = random.Next(0, 4);
            for (int m = 0; m < mutations; m++)
            {
                line[random.Next(line.Length)] = (byte)random.Next(256);
            }

            bytes.Write(line.Select(b => b == (byte)'\n' ? (byte)' ' : b).ToArray());
            bytes.WriteByte((byte)'\n');
            lines++;
        }

        RecordSet set = Read.Bytes(bytes.ToArray());

        RecordSource source = Assert.Single(set.Sources);
        Assert.Equal(lines, source.Lines);
        Assert.Equal(source.Lines, source.Records + source.Skipped.Total + BlankLines(bytes.ToArray()));
        Assert.True(source.Skipped.Total > 0);
    }

    [Fact]
    public void OptionsOutOfRangeAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordReader(new RecordReaderOptions { MaxLineBytes = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordReader(new RecordReaderOptions { MaxJsonDepth = 1000 }));
    }

    [Fact]
    public void AMissingFileThrowsAnIOException()
    {
        using var dir = new TempDirectory();

        Assert.ThrowsAny<IOException>(() => RecordReader.ReadFiles([dir.File("nope.jsonl")]));
    }

    private static int BlankLines(byte[] bytes) =>
        Encoding.Latin1.GetString(bytes).Split('\n').SkipLast(1).Count(l => l.Trim(' ', '\t', '\r').Length == 0);
}

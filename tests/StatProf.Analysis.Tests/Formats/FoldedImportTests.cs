using System.IO.Compression;
using System.Text;
using System.Text.Json;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Formats;

public sealed class FoldedImportTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ReportCli _cli = new();

    public void Dispose()
    {
        _dir.Dispose();
        _cli.Dispose();
    }

    [Fact]
    public void FoldedStacksBecomeOneRequestWithExactFrameCountsAndNoSpots()
    {
        string file = _dir.WriteText("stacks.folded", "main;serve;parse 3\nmain;serve;render 5\nmain;idle 2\n");

        RecordSet set = RecordReader.ReadFiles([file]);
        Profile profile = Analyzer.Analyze(set, new AnalysisOptions { Ignore = IgnoreSet.None });

        Assert.Equal(10, set.Samples);
        Request request = Assert.Single(set.Requests);
        Assert.Equal("stacks.folded", request.Name);
        Assert.Equal("folded", request.Kind);
        Assert.Equal(10, profile.FindFrame("main")!.Total);
        Assert.Equal(8, profile.FindFrame("serve")!.Total);
        Assert.Equal(0, profile.FindFrame("serve")!.Self);
        Assert.Equal(5, profile.FindFrame("render")!.Self);
        Assert.Empty(profile.Spots);
        Assert.Contains(set.Warnings, w => w.Contains("folded stacks carry no time order", StringComparison.Ordinal) && w.Contains("10 samples", StringComparison.Ordinal));
        Assert.Equal(SkippedLines.None, set.Skipped);
    }

    [Fact]
    public void FoldedIsRecognisedByContentWhateverTheNameAndCompressed()
    {
        string plain = _dir.WriteText("capture.txt", "\n\nroot;leaf 4\n");
        using (var gz = new GZipStream(File.Create(_dir.File("capture.log.gz")), CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes("root;leaf 6\nroot 1"));
        }

        RecordSet set = RecordReader.ReadFiles([plain, _dir.File("capture.log.gz")]);

        Assert.Equal(11, set.Samples);
        Assert.Equal(["capture.txt", "capture.log.gz"], set.Requests.Select(r => r.Name));
        Assert.Equal(0, set.Skipped.Total);
    }

    [Fact]
    public void RecordFilesAreStillReadAsRecords()
    {
        string file = _dir.Write("shop.folded", Samples.ShopLines());

        RecordSet set = RecordReader.ReadFiles([file]);

        Assert.Equal(23, set.Samples);
        Assert.Equal(5, set.Requests.Count);
        Assert.DoesNotContain(set.Warnings, w => w.Contains("folded", StringComparison.Ordinal));
    }

    [Fact]
    public void BadFoldedLinesAreSkippedAndCountedByReason()
    {
        byte[] notUtf8 = [0x61, 0x3B, 0xFF, 0xFE, 0x20, 0x32, 0x0A];
        byte[] text = Encoding.UTF8.GetBytes("a;b 3\nno count here\na;b x\n;; 4\na;b -1\n\na;;b 2\n   \n");
        string file = _dir.WriteBytes("bad.folded", [.. text, .. notUtf8]);

        RecordSet set = RecordReader.ReadFiles([file]);

        Assert.Equal(5, set.Samples);
        Assert.Equal(3, set.Skipped.Malformed);
        Assert.Equal(1, set.Skipped.WrongShape);
        Assert.Equal(1, set.Skipped.InvalidUtf8);
        Assert.Equal(5, set.Skipped.Total);
        RecordSource source = Assert.Single(set.Sources);
        Assert.Equal(9, source.Lines);
        Assert.Equal(2, source.Records);
        Assert.Equal(text.Length + notUtf8.Length, source.Bytes);
    }

    [Fact]
    public void FoldedRoundTripsThroughTheReportWithIdenticalCountsPerStack()
    {
        const string Folded = """
            Program.<Main>$(class System.String[]);Shop.Orders.Get(int32);Shop.Pricing.PriceLine(int32) 18
            Program.<Main>$(class System.String[]);Shop.Reports.Build() 4
            Shop.Jobs.Export() 1
            java.lang.Thread.run;com.example.Handler.handle(Request, Response);[kernel] 1234567
            main;a b c;d 7

            """;
        string file = _dir.WriteText("in.folded", Folded);

        int exit = _cli.Report(file, "--format", "folded", "--no-default-ignores");

        Assert.True(exit == 0, _cli.Stderr.ToString());
        Assert.Equal(Counts(Folded), Counts(_cli.Stdout.ToString()));
        Assert.Equal(Folded, _cli.Stdout.ToString()); // already in the exporter's order: byte for byte
    }

    [Fact]
    public void RecordsExportedAsFoldedAndReadBackExportTheSame()
    {
        string records = _dir.Write("shop.jsonl", Samples.ShopLines());
        Assert.Equal(0, _cli.Report(records, "--format", "folded"));
        string first = _cli.Stdout.ToString();
        string folded = _dir.WriteText("shop.folded", first);

        Assert.Equal(0, _cli.Report(folded, "--format", "folded"));

        Assert.Equal(first, _cli.Stdout.ToString());
        Assert.Equal(23, Counts(first).Values.Sum());
    }

    [Fact]
    public void TheJsonReportOfFoldedStacksSaysWhySpotsAreMissing()
    {
        string file = _dir.WriteText("stacks.folded", "main;serve;parse 3\nmain;serve;render 5\n");

        Assert.Equal(0, _cli.Report(file, "--format", "json"));

        using JsonDocument json = JsonDocument.Parse(_cli.Stdout.ToString());
        Assert.Equal(8, json.RootElement.GetProperty("samples").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("spots").GetArrayLength());
        Assert.Contains("no time order", json.RootElement.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, long> Counts(string folded) =>
        folded.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Stack: line[..line.LastIndexOf(' ')], Count: long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)))
            .GroupBy(pair => pair.Stack)
            .ToDictionary(group => group.Key, group => group.Sum(pair => pair.Count));
}

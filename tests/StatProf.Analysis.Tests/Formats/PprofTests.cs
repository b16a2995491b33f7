using System.Diagnostics;
using System.IO.Compression;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Formats;

/// <summary>
/// <c>report --format pprof</c> read by the real pprof: Debian's <c>go tool pprof</c> (golang-go,
/// installed by .ci/run).
/// </summary>
public sealed class PprofTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ReportCli _cli = new();

    public void Dispose()
    {
        _dir.Dispose();
        _cli.Dispose();
    }

    [Fact]
    public void GoToolPprofShowsEveryFrameWithItsSamples()
    {
        string profile = Export("shop.pb.gz", "--no-default-ignores");

        string top = Pprof("-top", profile);

        Assert.Contains("Type: samples", top, StringComparison.Ordinal);
        Assert.Contains("Showing nodes accounting for 23, 100% of 23 total", top, StringComparison.Ordinal);
        AssertRow(top, flat: "6", cum: "6", "Shop.Pricing.BasePrice(int32)");
        AssertRow(top, flat: "6", cum: "6", "Shop.Pricing.Discount(int32)");
        AssertRow(top, flat: "6", cum: "6", "Shop.Pricing.Tax(int32)");
        AssertRow(top, flat: "4", cum: "4", "System.Threading.Monitor.Enter_Slowpath(class System.Object)");
        AssertRow(top, flat: "1", cum: "1", "Shop.Jobs.Export()");
        AssertRow(top, flat: "0", cum: "18", "Shop.Pricing.PriceLine(int32)");
        AssertRow(top, flat: "0", cum: "22", "Program.<Main>$(class System.String[])");
        Assert.DoesNotContain("binary filename not available", top, StringComparison.Ordinal);
    }

    [Fact]
    public void GoToolPprofLinesShowsTheSourceLinesOfFrames()
    {
        // By method: one location per frame, at the frame's first line seen (PriceLine at 26).
        string byMethod = Pprof("-top", "-lines", Export("lines.pb.gz", LineSamples.PricingLines()));
        AssertRow(byMethod, flat: "4", cum: "4", $"{LineSamples.PriceLine} {LineSamples.File}:26");
        AssertRow(byMethod, flat: "2", cum: "6", $"{LineSamples.PriceAll} {LineSamples.File}:13");
        AssertRow(byMethod, flat: "0", cum: "6", $"{LineSamples.Main} Shop"); // no line: the module as its file

        // By line: each line a location of its method's one function.
        string byLine = Pprof("-top", "-lines", Export("by-line.pb.gz", LineSamples.PricingLines(), "--by-line"));
        AssertRow(byLine, flat: "3", cum: "3", $"{LineSamples.PriceLine} {LineSamples.File}:26");
        AssertRow(byLine, flat: "1", cum: "1", $"{LineSamples.PriceLine} {LineSamples.File}:27");
        AssertRow(byLine, flat: "0", cum: "4", $"{LineSamples.PriceAll} {LineSamples.File}:13");
        AssertRow(byLine, flat: "2", cum: "2", $"{LineSamples.PriceAll} {LineSamples.File}:15");

        // Without -lines the lines of a method are one function again.
        string functions = Pprof("-top", Export("by-line-functions.pb.gz", LineSamples.PricingLines(), "--by-line"));
        AssertRow(functions, flat: "4", cum: "4", LineSamples.PriceLine);
        AssertRow(functions, flat: "2", cum: "6", LineSamples.PriceAll);
    }

    [Fact]
    public void WallTimeIsSamplesTimesTheDumpIntervalAndLabelsSelectStateAndRequest()
    {
        string profile = Export("shop.pb.gz");

        string wall = Pprof("-top", "-sample_index=wall", profile);
        string waiting = Pprof("-top", "-tagfocus=state=waiting", profile);
        string oneRequest = Pprof("-top", "-tagfocus=request=o1", profile);

        Assert.Contains("Type: wall", wall, StringComparison.Ordinal);
        Assert.Contains("of 23s total", wall, StringComparison.Ordinal); // 23 samples, one dump a second (the header's intervalMs)
        AssertRow(wall, flat: "0", cum: "18s", "Shop.Pricing.PriceLine(int32)");
        Assert.Contains("Showing nodes accounting for 4, 17.39% of 23 total", waiting, StringComparison.Ordinal);
        AssertRow(waiting, flat: "4", cum: "4", "System.Threading.Monitor.Enter_Slowpath(class System.Object)");
        AssertRow(waiting, flat: "0", cum: "4", "Shop.Reports.Build()");
        Assert.Contains("Showing nodes accounting for 6, 26.09% of 23 total", oneRequest, StringComparison.Ordinal);
        Assert.DoesNotContain("Shop.Reports.Build()", oneRequest, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFileIsGzippedProtobufAndNeedsAnOutputFile()
    {
        string profile = Export("shop.pb.gz");
        using (var gzip = new GZipStream(File.OpenRead(profile), CompressionMode.Decompress))
        {
            Assert.True(gzip.ReadByte() >= 0);
        }

        byte[] head = File.ReadAllBytes(profile)[..2];
        Assert.Equal(new byte[] { 0x1f, 0x8b }, head);

        int exit = _cli.Report(_dir.Write("again.jsonl", Samples.ShopLines()), "--format", "pprof");

        Assert.Equal(2, exit);
        Assert.Equal("statprof report: --format pprof writes a binary (gzipped) profile: give -o FILE.", _cli.Stderr.ToString().Trim());
        Assert.Equal(string.Empty, _cli.Stdout.ToString());
    }

    /// <summary>Asserts a <c>-top</c> row: flat, flat%, sum%, cum, cum%, name.</summary>
    private static void AssertRow(string top, string flat, string cum, string name)
    {
        string[] row = top.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.EndsWith("  " + name, StringComparison.Ordinal))?
            .Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        Assert.True(row.Length >= 6, $"no row for {name} in:\n{top}");
        Assert.Equal(flat, row[0]);
        Assert.Equal(cum, row[3]);
    }

    private static string Pprof(params string[] args)
    {
        var start = new ProcessStartInfo("go") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("tool");
        start.ArgumentList.Add("pprof");
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "go tool pprof did not finish in 60 s");
        Assert.True(process.ExitCode == 0, $"go tool pprof failed: {stderr.Result}");
        return stdout + stderr.Result;
    }

    private string Export(string name, params string[] options) => Export(name, Samples.ShopLines(), options);

    private string Export(string name, IEnumerable<string> lines, params string[] options)
    {
        string records = _dir.Write(Path.ChangeExtension(name, ".jsonl"), lines);
        string output = _dir.File(name);
        int exit = _cli.Report([records, "--format", "pprof", "-o", output, .. options]);
        Assert.True(exit == 0, _cli.Stderr.ToString());
        return output;
    }
}

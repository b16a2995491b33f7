using System.CommandLine;
using System.Text.Json;
using StatProf.Analysis.Tests.Support;
using StatProf.Cli.Commands;

namespace StatProf.Analysis.Tests.Commands;

public sealed class ReportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _dir.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public void JsonReportParsesAndHasTheContractFields()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        int exit = Invoke("report", file, "--format", "json");

        Assert.True(exit == 0, _stderr.ToString());
        Assert.Equal(string.Empty, _stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(_stdout.ToString());
        JsonElement root = json.RootElement;
        Assert.Equal(23, root.GetProperty("samples").GetInt64());
        Assert.True(root.GetProperty("frames").GetArrayLength() > 0);
        JsonElement frame = root.GetProperty("frames")[0];
        Assert.True(frame.TryGetProperty("name", out _) && frame.TryGetProperty("self", out _) && frame.TryGetProperty("total", out _));
        JsonElement spot = root.GetProperty("spots")[0];
        Assert.Equal("Shop.Pricing.PriceLine(int32)", spot.GetProperty("frame").GetString());
        Assert.True(spot.TryGetProperty("seconds", out _) && spot.TryGetProperty("requests", out _));
        Assert.Equal(JsonValueKind.Array, root.GetProperty("requests").ValueKind);
        Assert.Equal(0, root.GetProperty("skippedLines").GetInt64());
    }

    [Fact]
    public void TextIsTheDefaultFormat()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        int exit = Invoke("report", file);

        Assert.Equal(0, exit);
        Assert.StartsWith("StatProf report:", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("Shop.Pricing.PriceLine(int32)", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WhereRequestAndIgnoreNarrowTheReport()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        int exit = Invoke("report", file, "--format", "json", "--where", "duration>5s and name~report", "--ignore", "fold:Shop.Reports.*");

        Assert.True(exit == 0, _stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(_stdout.ToString());
        Assert.Equal(4, json.RootElement.GetProperty("samples").GetInt64());
        Assert.Equal("Shop.Reports.Build()", json.RootElement.GetProperty("spots")[0].GetProperty("frame").GetString());
        Assert.Equal("duration>5s and name~report", json.RootElement.GetProperty("selection").GetProperty("where").GetString());

        _stdout.GetStringBuilder().Clear();
        Assert.Equal(0, Invoke("report", file, "--format", "json", "--request", "o1"));
        using JsonDocument one = JsonDocument.Parse(_stdout.ToString());
        Assert.Equal(6, one.RootElement.GetProperty("samples").GetInt64());
    }

    [Fact]
    public void SeveralFilesAreReportedAsOneSetAndOutputCanGoToAFile()
    {
        List<string> lines = Samples.ShopLines();
        string first = _dir.Write("a.jsonl", lines.Take(10));
        string second = _dir.Write("b.jsonl", lines.Skip(10).Prepend(Records.Header(pid: 4242, continuation: true)));
        string output = _dir.File("report.json");

        int exit = Invoke("report", first, second, "-f", "json", "-o", output);

        Assert.True(exit == 0, _stderr.ToString());
        Assert.Contains("wrote", _stdout.ToString(), StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(23, json.RootElement.GetProperty("samples").GetInt64());
        Assert.Equal(5, json.RootElement.GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public void HostileInputIsReportedNotFatal()
    {
        List<string> lines = Samples.ShopLines();
        lines.Insert(3, "{\"type\":\"dump\",\"trunc");
        string file = _dir.Write("shop.jsonl", lines);

        int exit = Invoke("report", file, "--format", "json");

        Assert.Equal(0, exit);
        using JsonDocument json = JsonDocument.Parse(_stdout.ToString());
        Assert.Equal(1, json.RootElement.GetProperty("skippedLines").GetInt64());
    }

    [Fact]
    public void HtmlGoesToTheOutputFileAsOneSelfContainedPage()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());
        string output = _dir.File("report.html");

        int exit = Invoke("report", file, "--format", "html", "-o", output, "--where", "name~orders");

        Assert.True(exit == 0, _stderr.ToString());
        Assert.Equal(string.Empty, _stderr.ToString());
        Assert.Equal($"statprof report: wrote {output} (3 requests, 18 samples, 0 lines skipped).", _stdout.ToString().Trim());
        string page = File.ReadAllText(output);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        using JsonDocument data = Rendering.HtmlReportTests.Data(page);
        Assert.Equal(18, data.RootElement.GetProperty("samples").GetInt64());
        Assert.Equal("name~orders", data.RootElement.GetProperty("selection").GetProperty("where").GetString());
    }

    [Fact]
    public void HtmlCarriesSourceLinesAndEachMethodsSamplesByLine()
    {
        string file = _dir.Write("lines.jsonl", LineSamples.PricingLines());
        string output = _dir.File("report.html");

        int exit = Invoke("report", file, "--format", "html", "-o", output);

        Assert.True(exit == 0, _stderr.ToString());
        using JsonDocument data = Rendering.HtmlReportTests.Data(File.ReadAllText(output));
        string[] names = [.. data.RootElement.GetProperty("names").EnumerateArray().Select(n => n.GetString()!)];
        int priceAll = Array.IndexOf(names, LineSamples.PriceAll), main = Array.IndexOf(names, LineSamples.Main);
        JsonElement source = data.RootElement.GetProperty("frameSources")[priceAll];
        Assert.Equal(LineSamples.File, source[0].GetString());
        Assert.Equal(13, source[1].GetInt32());
        Assert.Equal(JsonValueKind.Null, data.RootElement.GetProperty("frameSources")[main].ValueKind);
        string[] rows = [.. data.RootElement.GetProperty("byLine")[priceAll].EnumerateArray()
            .Select(r => $"{r[0].GetString()}:{r[1].GetInt32()} self {r[2].GetInt64()} total {r[3].GetInt64()}")];
        Assert.Equal([$"{LineSamples.File}:13 self 0 total 4", $"{LineSamples.File}:15 self 2 total 2"], rows);
        Assert.Equal(JsonValueKind.Null, data.RootElement.GetProperty("byLine")[main].ValueKind);

        // By line the frames are lines already: no breakdown; records without lines: none either.
        Assert.Equal(0, Invoke("report", file, "--format", "html", "-o", output, "--by-line"));
        using JsonDocument byLine = Rendering.HtmlReportTests.Data(File.ReadAllText(output));
        Assert.False(byLine.RootElement.TryGetProperty("byLine", out _));
        Assert.Equal(0, Invoke("report", _dir.Write("shop.jsonl", Samples.ShopLines()), "--format", "html", "-o", output));
        using JsonDocument noLines = Rendering.HtmlReportTests.Data(File.ReadAllText(output));
        Assert.False(noLines.RootElement.TryGetProperty("byLine", out _));
        Assert.All(noLines.RootElement.GetProperty("frameSources").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.ValueKind));
    }

    [Fact]
    public void HtmlWithoutAnOutputFileGoesToStdout()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        int exit = Invoke("report", file, "--format", "html");

        Assert.Equal(0, exit);
        Assert.StartsWith("<!DOCTYPE html>", _stdout.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("</html>", _stdout.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnwritableOutputIsOneLineAndExitThree()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        int exit = Invoke("report", file, "--format", "html", "-o", _dir.File("no/such/dir/report.html"));

        Assert.Equal(ReportCommand.FileError, exit);
        Assert.StartsWith("statprof report: cannot write ", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(_stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("missing", "no such file", ReportCommand.FileError)]
    [InlineData("--where=duration>>2s", "--where: column", ReportCommand.UsageError)]
    [InlineData("--where=durration>2s", "unknown field 'durration'", ReportCommand.UsageError)]
    [InlineData("--format=xml", "unknown --format 'xml'", ReportCommand.UsageError)]
    [InlineData("--format=pprof", "--format pprof writes a binary (gzipped) profile: give -o FILE.", ReportCommand.UsageError)]
    [InlineData("--ignore=fold:", "--ignore:", ReportCommand.UsageError)]
    [InlineData("--request=nobody", "no request with id 'nobody'", ReportCommand.UsageError)]
    [InlineData("--top=0", "--top", ReportCommand.UsageError)]
    public void UserErrorsAreOneLineOnStderrAndANonZeroExit(string problem, string expected, int code)
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());
        string[] args = problem == "missing" ? ["report", file, _dir.File("nope.jsonl")] : ["report", file, problem];

        int exit = Invoke(args);

        Assert.Equal(code, exit);
        string error = _stderr.ToString();
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("statprof report: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, _stdout.ToString());
    }

    [Fact]
    public void NoFileIsOneLine()
    {
        int exit = Invoke("report", "--format", "json");

        Assert.Equal(ReportCommand.UsageError, exit);
        Assert.Equal("statprof report: no record file given.", _stderr.ToString().Trim());
    }

    [Fact]
    public void AnUnwritableOutputIsOneLine()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        int exit = ReportCommand.Run(new ReportSettings { Files = [file], Output = _dir.File("no/such/dir/report.txt") }, _stdout, _stderr);

        Assert.Equal(ReportCommand.FileError, exit);
        Assert.Single(_stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cannot write", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryIsNotARecordFile()
    {
        int exit = ReportCommand.Run(new ReportSettings { Files = [_dir.Path] }, _stdout, _stderr);

        Assert.Equal(ReportCommand.FileError, exit);
        Assert.Contains("is a directory", _stderr.ToString(), StringComparison.Ordinal);
    }

    private int Invoke(params string[] args)
    {
        var root = new RootCommand("test") { ReportCommand.Create(_stdout, _stderr) };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = _stdout, Error = _stderr });
    }
}

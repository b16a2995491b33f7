using System.CommandLine;
using System.Text.Json;
using StatProf.Analysis.Tests.Support;
using StatProf.Cli.Commands;

namespace StatProf.Analysis.Tests.Commands;

public sealed class DiffCommandTests : IDisposable
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

    /// <summary>Before: the report and the job only. After: the same plus three order pages dying by a thousand cuts.</summary>
    private (string Before, string After) WriteSets()
    {
        List<string> lines = Samples.ShopLines();
        string before = _dir.Write("before.jsonl", lines.Where(l => !l.Contains("\"id\":\"o", StringComparison.Ordinal)));
        string after = _dir.Write("after.jsonl", lines);
        return (before, after);
    }

    [Fact]
    public void TextNamesTheRegressionAndTheImprovement()
    {
        (string before, string after) = WriteSets();

        int exit = Invoke("diff", before, after);

        Assert.True(exit == 0, _stderr.ToString());
        Assert.Equal(string.Empty, _stderr.ToString());
        string text = _stdout.ToString();
        Assert.StartsWith("StatProf diff: before 5 samples of 2 requests, after 23 samples of 5 requests", text, StringComparison.Ordinal);
        Assert.Matches(@"regression .* Shop\.Pricing\.PriceLine\(int32\)", text);
        Assert.Matches(@"improvement .* Shop\.Reports\.Build\(\)", text);
    }

    [Fact]
    public void JsonIsTheDiffDocument()
    {
        (string before, string after) = WriteSets();

        int exit = Invoke("diff", before, after, "--format", "json", "--alpha", "0.1");

        Assert.True(exit == 0, _stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(_stdout.ToString());
        Assert.Equal("statprof-diff", json.RootElement.GetProperty("format").GetString());
        Assert.Equal(0.1, json.RootElement.GetProperty("alpha").GetDouble());
        Assert.Equal(23, json.RootElement.GetProperty("after").GetProperty("samples").GetInt64());
        JsonElement priceLine = json.RootElement.GetProperty("frames").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "Shop.Pricing.PriceLine(int32)");
        Assert.Equal("regression", priceLine.GetProperty("kind").GetString());
    }

    [Fact]
    public void HtmlGoesToAFileAndCommaListsAreReadAsOneSet()
    {
        List<string> lines = Samples.ShopLines();
        string before = _dir.Write("before.jsonl", lines.Where(l => !l.Contains("\"id\":\"o", StringComparison.Ordinal)));
        string first = _dir.Write("after-1.jsonl", lines.Take(10));
        string second = _dir.Write("after-2.jsonl", lines.Skip(10).Prepend(Records.Header(pid: 4242, continuation: true)));
        string output = _dir.File("diff.html");

        int exit = Invoke("diff", before, $"{second},{first}", "--format", "html", "-o", output);

        Assert.True(exit == 0, _stderr.ToString());
        Assert.StartsWith($"statprof diff: wrote {output} (5 samples before, 23 after;", _stdout.ToString(), StringComparison.Ordinal);
        using JsonDocument data = Rendering.HtmlReportTests.Data(File.ReadAllText(output));
        Assert.Equal("diff", data.RootElement.GetProperty("mode").GetString());
        Assert.Equal(23, data.RootElement.GetProperty("diff").GetProperty("afterSamples").GetInt64());
    }

    [Fact]
    public void ByLineTellsWhichLineOfAMethodChanged()
    {
        // PriceLine takes the same share on both sides, but before at its line 26 and after at 27.
        string before = _dir.Write("before.jsonl", PriceLineAt(26));
        string after = _dir.Write("after.jsonl", PriceLineAt(27));

        Assert.Equal(0, Invoke("diff", before, after, "--format", "json"));
        Dictionary<string, string> byMethod = Kinds(_stdout.ToString());
        Assert.DoesNotContain("regression", byMethod.Values);
        Assert.DoesNotContain("improvement", byMethod.Values);
        Assert.DoesNotContain(byMethod.Keys, name => name.Contains(":line ", StringComparison.Ordinal));

        int exit = Invoke("diff", before, after, "--format", "json", "--by-line");

        Assert.True(exit == 0, _stderr.ToString());
        Dictionary<string, string> byLine = Kinds(_stdout.ToString());
        Assert.Equal("regression", byLine[$"{LineSamples.PriceLine} in {LineSamples.File}:line 27"]);
        Assert.Equal("improvement", byLine[$"{LineSamples.PriceLine} in {LineSamples.File}:line 26"]);
        Assert.NotEqual("regression", byLine[$"{LineSamples.PriceAll} in {LineSamples.File}:line 13"]);
        Assert.NotEqual("improvement", byLine[$"{LineSamples.PriceAll} in {LineSamples.File}:line 13"]);

        Assert.Equal(0, Invoke("diff", before, after, "--by-line", "--top", "5"));
        Assert.Matches(@"regression .* Shop\.Pricing\.PriceLine\(int32\) in /src/Shop/Pricing\.cs:line 27", _stdout.ToString());
    }

    /// <summary>30 dumps of two requests: Main, PriceAll at line 13, PriceLine at <paramref name="line"/>; and 10 of Main alone.</summary>
    private static List<string> PriceLineAt(int line)
    {
        var lines = new List<string> { Records.Header() };
        var request = new FakeRequest("p1");
        for (int dump = 1; dump <= 30; dump++)
        {
            lines.Add(LineSamples.WithLines(
                request.Dump(dump, LineSamples.Main, LineSamples.PriceAll, LineSamples.PriceLine),
                (LineSamples.Main, null, 0),
                (LineSamples.PriceAll, LineSamples.File, 13),
                (LineSamples.PriceLine, LineSamples.File, line)));
        }

        lines.Add(request.End(40_000));
        var idle = new FakeRequest("p2", "GET /idle");
        for (int dump = 1; dump <= 10; dump++)
        {
            lines.Add(idle.Dump(dump, LineSamples.Main));
        }

        lines.Add(idle.End(20_000));
        return lines;
    }

    private static Dictionary<string, string> Kinds(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("frames").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("kind").GetString()!, StringComparer.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "diff" }, "give two record sets", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE" }, "give two record sets", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE", "missing.jsonl" }, "AFTER: missing.jsonl: no such file", DiffCommand.FileError)]
    [InlineData(new[] { "diff", "BEFORE", "AFTER", "--format", "svg" }, "unknown --format 'svg'", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE", "AFTER", "--alpha", "2" }, "--alpha must be in (0, 1)", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE", "AFTER", "--min-change", "-1" }, "--min-change must be in [0, 1)", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE", "AFTER", "--where", "durration>1s" }, "--where: ", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE", "AFTER", "--where", "name~nothing-matches" }, "BEFORE has no samples matching --where", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE", "AFTER", "--ignore", "fold:" }, "--ignore: ", DiffCommand.UsageError)]
    [InlineData(new[] { "diff", "BEFORE", "AFTER", "-o", "no/such/dir/diff.txt" }, "cannot write ", DiffCommand.FileError)]
    public void UserErrorsAreOneLineOnStderrAndANonZeroExit(string[] args, string expected, int code)
    {
        (string before, string after) = WriteSets();
        string[] resolved = args.Select(a => a switch
        {
            "BEFORE" => before,
            "AFTER" => after,
            "missing.jsonl" => "missing.jsonl",
            "no/such/dir/diff.txt" => _dir.File(a),
            _ => a,
        }).ToArray();

        int exit = Invoke(resolved);

        Assert.Equal(code, exit);
        string error = _stderr.ToString();
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("statprof diff: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, _stdout.ToString());
    }

    private int Invoke(params string[] args)
    {
        _stdout.GetStringBuilder().Clear();
        var root = new RootCommand("test") { DiffCommand.Create(_stdout, _stderr) };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = _stdout, Error = _stderr });
    }
}

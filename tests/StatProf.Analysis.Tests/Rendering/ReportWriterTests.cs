using System.Text;
using System.Text.Json;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Rendering;

public sealed class ReportWriterTests
{
    [Fact]
    public void JsonHasTheContractFieldsInTheContractOrder()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));
        using var text = new StringWriter();

        ReportWriter.WriteJson(profile, text);

        using JsonDocument json = JsonDocument.Parse(text.ToString());
        JsonElement root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(23, root.GetProperty("samples").GetInt64());
        Assert.Equal(0, root.GetProperty("skippedLines").GetInt64());
        Assert.Equal(5, root.GetProperty("requests").GetArrayLength());

        JsonElement[] frames = root.GetProperty("frames").EnumerateArray().ToArray();
        Assert.NotEmpty(frames);
        Assert.All(frames, f =>
        {
            Assert.Equal(JsonValueKind.String, f.GetProperty("name").ValueKind);
            Assert.True(f.GetProperty("self").TryGetInt64(out _));
            Assert.True(f.GetProperty("total").TryGetInt64(out _));
            Assert.Equal(2, f.GetProperty("selfInterval").GetArrayLength());
        });
        long[] self = frames.Select(f => f.GetProperty("self").GetInt64()).ToArray();
        Assert.Equal(self.OrderDescending(), self);

        JsonElement[] spots = root.GetProperty("spots").EnumerateArray().ToArray();
        Assert.Equal("Shop.Pricing.PriceLine(int32)", spots[0].GetProperty("frame").GetString());
        Assert.Equal(15.0, spots[0].GetProperty("seconds").GetDouble());
        Assert.Equal(3, spots[0].GetProperty("requests").GetInt32());
        double[] seconds = spots.Select(s => s.GetProperty("seconds").GetDouble()).ToArray();
        Assert.Equal(seconds.OrderDescending(), seconds);
        double share = spots[0].GetProperty("share").GetDouble();
        JsonElement interval = spots[0].GetProperty("interval");
        Assert.InRange(share, interval[0].GetDouble(), interval[1].GetDouble());

        JsonElement slowest = root.GetProperty("requests")[0];
        Assert.Equal("o2", slowest.GetProperty("id").GetString());
        Assert.Equal("Shop.Pricing.PriceLine(int32)", slowest.GetProperty("spot").GetProperty("frame").GetString());
        Assert.Equal(4242, slowest.GetProperty("pid").GetInt32());
    }

    [Fact]
    public void JsonEscapesMarkupInFrameNames()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));
        var stream = new MemoryStream();

        ReportWriter.WriteJson(profile, stream);

        string raw = Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain("<Main>", raw, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(raw);
        Assert.Contains(json.RootElement.GetProperty("frames").EnumerateArray(), f => f.GetProperty("name").GetString() == "Program.<Main>$(class System.String[])");
    }

    [Fact]
    public void JsonCountsSkippedLinesByReason()
    {
        List<string> lines = Samples.ShopLines();
        lines.Add("{not json");
        lines.Add("""{"type":"mystery"}""");
        Profile profile = Analyzer.Analyze(Read.Lines(lines));
        using var text = new StringWriter();

        ReportWriter.WriteJson(profile, text);

        using JsonDocument json = JsonDocument.Parse(text.ToString());
        Assert.Equal(2, json.RootElement.GetProperty("skippedLines").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("skipped").GetProperty("malformed").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("skipped").GetProperty("unknownType").GetInt64());
    }

    [Fact]
    public void TextShowsTheTopSpotFramesAndSlowestRequests()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));
        using var text = new StringWriter();

        ReportWriter.WriteText(profile, text);

        string output = text.ToString();
        Assert.StartsWith("StatProf report: 23 samples of 5 slow requests", output, StringComparison.Ordinal);
        Assert.Contains("Optimization spots", output, StringComparison.Ordinal);
        Assert.Contains("Frames by self samples", output, StringComparison.Ordinal);
        Assert.Contains("Slowest requests:", output, StringComparison.Ordinal);
        string firstSpot = output.Split('\n').SkipWhile(l => !l.StartsWith("Optimization spots", StringComparison.Ordinal)).Skip(2).First();
        Assert.EndsWith("Shop.Pricing.PriceLine(int32)", firstSpot.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("GET /report [pid 4242, id r1]", output, StringComparison.Ordinal);
        Assert.Contains("error 500", output, StringComparison.Ordinal);
        Assert.Contains("no line skipped", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DiffRendersAsJsonAndText()
    {
        Profile before = Analyzer.Analyze(Read.Lines(Samples.ShopLines()), new AnalysisOptions { Where = RequestFilter.Parse("kind=http and name~orders") });
        Profile after = Analyzer.Analyze(Read.Lines(Samples.ShopLines()), new AnalysisOptions { Where = RequestFilter.Parse("name~report") });
        ProfileDiff diff = ProfileDiff.Compare(before, after);
        using var json = new StringWriter();
        using var text = new StringWriter();

        ReportWriter.WriteJson(diff, json);
        ReportWriter.WriteText(diff, text);

        using JsonDocument document = JsonDocument.Parse(json.ToString());
        Assert.Equal("statprof-diff", document.RootElement.GetProperty("format").GetString());
        Assert.Contains(document.RootElement.GetProperty("spots").EnumerateArray(), s => s.GetProperty("kind").GetString() == "regression");
        Assert.Contains("regression", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("System.Threading.Monitor.Enter_Slowpath", text.ToString(), StringComparison.Ordinal);
    }
}

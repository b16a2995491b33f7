using System.Text;
using System.Text.Json;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Rendering;

public sealed class HtmlReportTests
{
    private const string Breakout = "</script><img src=x onerror=alert(1)>";

    [Fact]
    public void HtmlIsOneSelfContainedPageThatNeedsNoNetwork()
    {
        string page = Html(Analyzer.Analyze(Read.Lines(Samples.ShopLines())));

        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", page, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", page, StringComparison.Ordinal);
        Assert.Contains("script-src 'sha256-", page, StringComparison.Ordinal);
        Assert.Contains("function render()", page, StringComparison.Ordinal); // the script is inline
        Assert.Contains(".frame {", page, StringComparison.Ordinal); // and so is the stylesheet
    }

    [Fact]
    public void FrameNamesAreEscapedJsonThatCannotCloseTheScriptElement()
    {
        var request = new FakeRequest("x1", "GET /<b>bold</b>");
        RecordSet set = Read.Lines(
            Records.Header(),
            request.Dump(1, "Program.<Main>$(class System.String[])", "Shop.<>c__DisplayClass0_0.<Run>b__0()", Breakout),
            request.Dump(2, "Program.<Main>$(class System.String[])", "Shop.<>c__DisplayClass0_0.<Run>b__0()", Breakout),
            request.End(3000));

        string page = Html(Analyzer.Analyze(set));

        Assert.DoesNotContain(Breakout, page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<Main>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bold", page, StringComparison.Ordinal);
        Assert.Equal(2, Count(page, "</script>")); // the data element's and the script's own
        using JsonDocument data = Data(page);
        string[] names = data.RootElement.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
        Assert.Contains(Breakout, names);
        Assert.Contains("Program.<Main>$(class System.String[])", names);
        Assert.Equal("GET /<b>bold</b>", data.RootElement.GetProperty("requests")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void GraphsAreCallTreesWithCountsByStateThatAddUp()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));

        using JsonDocument data = Data(Html(profile));

        JsonElement root = data.RootElement;
        string[] names = root.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
        Node[] nodes = Nodes(root.GetProperty("graphs")[0]);
        Assert.Equal(23, nodes[0].Total);
        Assert.Equal(-1, nodes[0].Parent);
        for (int i = 0; i < nodes.Length; i++)
        {
            long children = nodes.Where(n => n.Parent == i).Sum(n => n.Total);
            Assert.Equal(nodes[i].Total, nodes[i].Self + children); // nothing pruned in this small set
            Assert.True(nodes[i].Parent < i);
        }

        Node priceLine = Assert.Single(nodes, n => n.Name >= 0 && names[n.Name] == "Shop.Pricing.PriceLine(int32)");
        Assert.Equal(18, priceLine.Total);
        Assert.Equal(18, priceLine.Running);
        Node monitor = Assert.Single(nodes, n => n.Name >= 0 && names[n.Name].StartsWith("System.Threading.Monitor", StringComparison.Ordinal));
        Assert.Equal(4, monitor.Waiting);
        Assert.Equal(0, root.GetProperty("graphs")[0].GetProperty("hidden").GetInt32());

        // The hot/cold boundary by call path: the order pages' 15 intervals of 1 s under PriceLine
        // (their leaves change at every dump), the report's 3 under the lock it waited on.
        Dictionary<string, double> boundary = Boundary(root.GetProperty("graphs")[0]).ToDictionary(b => names[nodes[b.Node].Name], b => b.Seconds);
        Assert.Equal(2, boundary.Count);
        Assert.Equal(15, boundary["Shop.Pricing.PriceLine(int32)"]);
        Assert.Equal(3, boundary["System.Threading.Monitor.Enter_Slowpath(class System.Object)"]);
        Assert.Equal(profile.Boundary.Seconds, boundary.Values.Sum(), 6);

        // Each request has its own graph, the slowest first, and the table links to it.
        Assert.Equal(1 + 5, root.GetProperty("graphs").GetArrayLength());
        JsonElement first = root.GetProperty("requests")[0];
        Assert.Equal("o2", first.GetProperty("id").GetString());
        Assert.Equal(1, first.GetProperty("graph").GetInt32());
        Assert.Equal(6, Nodes(root.GetProperty("graphs")[1])[0].Total);
        Assert.Equal("Shop.Pricing.PriceLine(int32)", names[root.GetProperty("spots")[0][0].GetInt32()]);
    }

    [Fact]
    public void TheGraphsHonourTheIgnoreRulesAndTheSelection()
    {
        RecordSet set = Read.Lines(Samples.ShopLines());
        Profile profile = Analyzer.Analyze(set, new AnalysisOptions
        {
            Ignore = IgnoreSet.Default.With([IgnoreRule.Parse("fold:Shop.Pricing.PriceLine*"), IgnoreRule.Parse("Program.*")]),
            Where = RequestFilter.Parse("name~orders"),
        });

        using JsonDocument data = Data(Html(profile));

        JsonElement root = data.RootElement;
        string[] names = root.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
        Node[] nodes = Nodes(root.GetProperty("graphs")[0]);
        Assert.Equal(18, nodes[0].Total);
        Assert.Equal(["Shop.Orders.Get(int32)", "Shop.Pricing.PriceLine(int32)"], nodes.Skip(1).Select(n => names[n.Name]));
        Assert.Equal(18, nodes[2].Self); // folded: the helpers' samples are its own
        Assert.Equal(3, root.GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public void TinyCallPathsArePrunedAndCounted()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));

        using JsonDocument data = Data(Html(profile, new HtmlReportOptions { MinFrameShare = 0.1 }));

        JsonElement graph = data.RootElement.GetProperty("graphs")[0];
        Node[] nodes = Nodes(graph);
        long threshold = graph.GetProperty("threshold").GetInt64();
        Assert.Equal(3, threshold); // 10 % of 23 samples, rounded up
        Assert.All(nodes.Skip(1), n => Assert.True(n.Total >= threshold));
        Assert.True(graph.GetProperty("hidden").GetInt32() > 0);

        // Every sample ends at one leaf: a shown node's self, or under a topmost pruned node.
        Assert.Equal(23, nodes.Sum(n => n.Self) + graph.GetProperty("hiddenSamples").GetInt64());
    }

    [Fact]
    public void TheNodeLimitRaisesTheThreshold()
    {
        var lines = new List<string> { Records.Header() };
        var request = new FakeRequest("big");
        for (int dump = 1; dump <= 400; dump++)
        {
            lines.Add(request.Dump(dump, "Program.Main()", $"Work.Step{dump % 200}()"));
        }

        lines.Add(request.End(500_000));
        Profile profile = Analyzer.Analyze(Read.Lines(lines));

        using JsonDocument data = Data(Html(profile, new HtmlReportOptions { MaxNodes = 100, MinFrameShare = 0 }));

        JsonElement graph = data.RootElement.GetProperty("graphs")[0];
        Assert.True(Nodes(graph).Length <= 100);
        Assert.True(graph.GetProperty("hidden").GetInt32() >= 102);
    }

    [Fact]
    public void OnlyTheSlowestRequestsGetGraphsAndThePageSaysHowMany()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));

        using JsonDocument data = Data(Html(profile, new HtmlReportOptions { MaxRequestGraphs = 2, MaxRequests = 4 }));

        JsonElement root = data.RootElement;
        Assert.Equal(3, root.GetProperty("graphs").GetArrayLength());
        Assert.Equal(2, root.GetProperty("requestGraphLimit").GetInt32());
        Assert.Equal(5, root.GetProperty("requestCount").GetInt32());
        int[] graphs = root.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("graph").GetInt32()).ToArray();
        Assert.Equal([1, 2, -1, -1], graphs);
    }

    [Fact]
    public void RequestGraphsStopWhenTheirNodeBudgetIsSpent()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));

        using JsonDocument data = Data(Html(profile, new HtmlReportOptions { MaxRequestNodesTotal = 12 }));

        // The slowest order page's graph has 7 nodes (root, Main, Get, PriceLine, 3 helpers); the next
        // one is pruned to fit the 5 left; then the budget is spent and the other requests get none.
        JsonElement root = data.RootElement;
        JsonElement[] graphs = [.. root.GetProperty("graphs").EnumerateArray()];
        Assert.Equal(2 + 1, graphs.Length);
        Assert.Equal(7, graphs[1].GetProperty("n").GetArrayLength() / 6);
        Assert.True(graphs[2].GetProperty("n").GetArrayLength() / 6 <= 5);
        Assert.True(graphs[2].GetProperty("hidden").GetInt32() > 0);
        Assert.True(root.GetProperty("requestGraphBudgetSpent").GetBoolean());
        Assert.Equal(-1, root.GetProperty("requests")[2].GetProperty("graph").GetInt32());
    }

    [Fact]
    public void OptionsOutOfRangeAreRefused()
    {
        Profile profile = Analyzer.Analyze(Read.Lines(Samples.ShopLines()));

        Assert.Throws<ArgumentOutOfRangeException>(() => Html(profile, new HtmlReportOptions { MinFrameShare = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Html(profile, new HtmlReportOptions { MaxNodes = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Html(profile, new HtmlReportOptions { MaxRequests = 0 }));
    }

    [Fact]
    public void DiffPageColoursTheAfterGraphByVerdict()
    {
        List<string> lines = Samples.ShopLines();
        Profile before = Analyzer.Analyze(Read.Lines(lines.Where(l => !l.Contains("\"id\":\"o", StringComparison.Ordinal))));
        Profile after = Analyzer.Analyze(Read.Lines(lines));
        ProfileDiff diff = ProfileDiff.Compare(before, after);
        using var stream = new MemoryStream();

        ReportWriter.WriteHtml(diff, stream);

        using JsonDocument data = Data(Encoding.UTF8.GetString(stream.ToArray()));
        JsonElement root = data.RootElement;
        Assert.Equal("diff", root.GetProperty("mode").GetString());
        Assert.Equal(23, root.GetProperty("diff").GetProperty("afterSamples").GetInt64());
        string[] names = root.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
        JsonElement priceLine = root.GetProperty("changesByName")[Array.IndexOf(names, "Shop.Pricing.PriceLine(int32)")];
        Assert.Equal((int)ChangeKind.Regression, priceLine[0].GetInt32());
        Assert.Equal(0, priceLine[3].GetDouble());
    }

    private static string Html(Profile profile, HtmlReportOptions? options = null)
    {
        using var stream = new MemoryStream();
        ReportWriter.WriteHtml(profile, stream, options);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static JsonDocument Data(string page)
    {
        const string open = "<script type=\"application/json\" id=\"statprof-data\">";
        int start = page.IndexOf(open, StringComparison.Ordinal) + open.Length;
        int end = page.IndexOf("</script>", start, StringComparison.Ordinal);
        // A key written twice would be read by the page as its last value only: refused here.
        return JsonDocument.Parse(page[start..end], new JsonDocumentOptions { AllowDuplicateProperties = false });
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static Node[] Nodes(JsonElement graph)
    {
        long[] n = graph.GetProperty("n").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        return Enumerable.Range(0, n.Length / 6)
            .Select(i => new Node((int)n[i * 6], (int)n[(i * 6) + 1], n[(i * 6) + 2], n[(i * 6) + 3], n[(i * 6) + 4], n[(i * 6) + 5]))
            .ToArray();
    }

    private static (int Node, double Seconds)[] Boundary(JsonElement graph)
    {
        double[] b = graph.GetProperty("b").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return Enumerable.Range(0, b.Length / 2).Select(i => ((int)b[i * 2], b[(i * 2) + 1])).ToArray();
    }

    private sealed record Node(int Name, int Parent, long Total, long Self, long Running, long Waiting);
}

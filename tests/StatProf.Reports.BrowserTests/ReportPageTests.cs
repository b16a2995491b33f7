using Microsoft.Playwright;
using StatProf.Analysis;
using StatProf.Analysis.Tests.Support;
using StatProf.Reports.BrowserTests.Support;

namespace StatProf.Reports.BrowserTests;

/// <summary>The profile report, generated from real record files and driven in headless Chromium.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class ReportPageTests(BrowserFixture browser) : IDisposable
{
    private const string PriceLine = "Shop.Pricing.PriceLine(int32)";
    private const string Main = "Program.<Main>$(class System.String[])";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ClickingAFrameZoomsIntoItAndTheBreadcrumbLeadsBack()
    {
        await using ReportPage report = await OpenShopReportAsync();

        Assert.Equal(["all"], await report.BreadcrumbAsync());
        Assert.Contains("Shop.Reports.Build()", await report.DrawnFrameNamesAsync());
        await report.Frame(PriceLine).ClickAsync();

        Assert.Equal(["all", Main, "Shop.Orders.Get(int32)", PriceLine], await report.BreadcrumbAsync());
        Assert.Equal("true", await report.Page.Locator("#breadcrumb button").Last.GetAttributeAsync("aria-current"));
        string[] drawn = await report.DrawnFrameNamesAsync();
        Assert.Equal(["Shop.Pricing.BasePrice(int32)", "Shop.Pricing.Discount(int32)", PriceLine, "Shop.Pricing.Tax(int32)"], drawn.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("Shop.Reports.Build()", drawn);
        double width = (await report.Frame(PriceLine).BoundingBoxAsync())!.Width;
        Assert.True(width > 1000, $"the zoomed frame fills the graph ({width} px)");

        await report.Page.Locator("#breadcrumb button", new() { HasText = "Shop.Orders.Get(int32)" }).ClickAsync();
        Assert.Equal(["all", Main, "Shop.Orders.Get(int32)"], await report.BreadcrumbAsync());

        await report.Page.ClickAsync("#reset-zoom");
        Assert.Equal(["all"], await report.BreadcrumbAsync());
        Assert.Contains("Shop.Reports.Build()", await report.DrawnFrameNamesAsync());

        await report.Frame(PriceLine).ClickAsync();
        await report.Page.Keyboard.PressAsync("Escape");
        Assert.Equal(["all"], await report.BreadcrumbAsync());
        Assert.Empty(report.PageErrors);
    }

    [Fact]
    public async Task SearchHighlightsTheMatchingFramesAndShowsTheirShare()
    {
        await using ReportPage report = await OpenShopReportAsync();

        await report.Page.FillAsync("#search", "pricing");
        await report.Page.PressAsync("#search", "Enter");

        // PriceLine and its three helpers match; the helpers are under PriceLine, so 18 of 23 samples.
        Assert.Equal("4 matching frames · 78.3 % of samples", await report.Page.TextContentAsync("#search-result"));
        string[] highlighted = [.. await report.Page.Locator("#flame .frame.match").AllTextContentsAsync()];
        Assert.Equal(4, highlighted.Length);
        Assert.All(highlighted, name => Assert.Contains("Shop.Pricing.", name, StringComparison.Ordinal));

        await report.Page.FillAsync("#search", "Monitor|Jobs");
        await report.Page.PressAsync("#search", "Enter");
        Assert.Equal("2 matching frames · 21.7 % of samples", await report.Page.TextContentAsync("#search-result"));

        await report.Page.FillAsync("#search", "");
        await report.Page.PressAsync("#search", "Enter");
        Assert.Equal(0, await report.Page.Locator("#flame .frame.match").CountAsync());
        Assert.Equal(string.Empty, await report.Page.TextContentAsync("#search-result"));
    }

    [Fact]
    public async Task TheRequestTableOpensARequestsOwnGraphAndSorts()
    {
        await using ReportPage report = await OpenShopReportAsync();
        ILocator rows = report.Page.Locator("#requests tbody tr");
        Assert.Equal(5, await rows.CountAsync());
        Assert.Equal("GET /orders/2", await rows.First.Locator("td").Nth(1).TextContentAsync()); // slowest first

        await report.Page.Locator("#requests tbody tr", new() { HasText = "GET /report" }).GetByRole(AriaRole.Button, new() { Name = "flame graph" }).ClickAsync();

        Assert.Equal("Request: GET /report (r1)", await report.Page.TextContentAsync("#graph-title"));
        string[] drawn = await report.DrawnFrameNamesAsync();
        Assert.Contains("Shop.Reports.Build()", drawn);
        Assert.DoesNotContain(PriceLine, drawn);
        Assert.Contains("request=r1", report.Page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await report.Page.Locator("#requests tbody tr.selected").CountAsync());

        await report.Page.ClickAsync("#show-all");
        Assert.Equal("All requests", await report.Page.TextContentAsync("#graph-title"));
        Assert.Contains(PriceLine, await report.DrawnFrameNamesAsync());

        await report.Page.ClickAsync("#requests th[data-key=ms]");
        Assert.Equal("ascending", await report.Page.GetAttributeAsync("#requests th[data-key=ms]", "aria-sort"));
        Assert.Equal("export", await rows.First.Locator("td").Nth(1).TextContentAsync());
        await report.Page.ClickAsync("#requests th[data-key=name]");
        Assert.Equal("ascending", await report.Page.GetAttributeAsync("#requests th[data-key=name]", "aria-sort"));
        Assert.Equal("export", await rows.First.Locator("td").Nth(1).TextContentAsync());
        await report.Page.ClickAsync("#requests th[data-key=name]");
        Assert.Equal("GET /report", await rows.First.Locator("td").Nth(1).TextContentAsync());
    }

    [Fact]
    public async Task ALinkToARequestOpensItsGraph()
    {
        string path = WriteReport(Samples.ShopLines());
        await using ReportPage report = await ReportPage.OpenAsync(browser.Browser, path, "#request=o1");

        Assert.Equal("Request: GET /orders/1 (o1)", await report.Page.TextContentAsync("#graph-title"));
    }

    [Fact]
    public async Task IcicleAndFlameTurnTheGraphUpsideDown()
    {
        await using ReportPage report = await OpenShopReportAsync();
        ILocator root = report.Frame("all");

        float rootTop = (await root.BoundingBoxAsync())!.Y;
        float leafTop = (await report.Frame("Shop.Pricing.Tax(int32)").BoundingBoxAsync())!.Y;
        Assert.True(rootTop < leafTop, "icicle: the root on top");
        Assert.Equal("true", await report.Page.GetAttributeAsync("#view-icicle", "aria-pressed"));

        await report.Page.ClickAsync("#view-flame");

        rootTop = (await root.BoundingBoxAsync())!.Y;
        leafTop = (await report.Frame("Shop.Pricing.Tax(int32)").BoundingBoxAsync())!.Y;
        Assert.True(rootTop > leafTop, "flame: the root at the bottom");
        Assert.Equal("true", await report.Page.GetAttributeAsync("#view-flame", "aria-pressed"));
    }

    [Fact]
    public async Task LeftHeavyPutsTheHeaviestChildFirst()
    {
        await using ReportPage report = await OpenShopReportAsync();

        float orders = (await report.Frame("Shop.Orders.Get(int32)").BoundingBoxAsync())!.X;
        float reports = (await report.Frame("Shop.Reports.Build()").BoundingBoxAsync())!.X;
        Assert.True(orders < reports, "left-heavy: 18 samples before 4");

        await report.Page.UncheckAsync("#left-heavy");

        orders = (await report.Frame("Shop.Orders.Get(int32)").BoundingBoxAsync())!.X;
        reports = (await report.Frame("Shop.Reports.Build()").BoundingBoxAsync())!.X;
        Assert.True(orders < reports, "by name: Orders before Reports too");
        float main = (await report.Frame(Main).BoundingBoxAsync())!.X;
        float jobs = (await report.Frame("Shop.Jobs.Export()").BoundingBoxAsync())!.X;
        Assert.True(main < jobs, "by name: Program before Shop");
    }

    [Fact]
    public async Task TooltipsShowSamplesSharesWithIntervalsAndTheSpot()
    {
        await using ReportPage report = await OpenShopReportAsync();

        await report.Frame(PriceLine).HoverAsync();

        string tip = (await report.Page.TextContentAsync("#tooltip"))!;
        Assert.True(await report.Page.IsVisibleAsync("#tooltip"));
        Assert.Contains("Total: 18 samples, 78.3 % of this graph (95 % interval", tip, StringComparison.Ordinal);
        Assert.Contains("Running 100.0 % · waiting 0.0 %", tip, StringComparison.Ordinal);
        Assert.Contains("Optimization spot #1: 15.00 s in 3 requests", tip, StringComparison.Ordinal);
        Assert.Contains("This frame on all its call paths: self 0", tip, StringComparison.Ordinal);
        Assert.Contains("Hot/cold boundary on this call path: 15.00 s, 83.3 % of the time between consecutive dumps", tip, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpotsAreMarkedInTheGraphAndListed()
    {
        await using ReportPage report = await OpenShopReportAsync();

        string[] marked = [.. await report.Page.Locator("#flame .frame.spot").AllTextContentsAsync()];
        Assert.Contains("#1" + PriceLine, marked);
        Assert.Contains("#2System.Threading.Monitor.Enter_Slowpath(class System.Object)", marked);
        Assert.Equal("2px solid", await report.Frame(PriceLine).EvaluateAsync<string>("e => getComputedStyle(e).outlineWidth + ' ' + getComputedStyle(e).outlineStyle"));
        Assert.Equal(PriceLine, await report.Page.Locator("#spots tbody tr").First.Locator("td").Nth(1).TextContentAsync());
        string[] underlined = [.. (await report.Page.Locator("#flame .frame.boundary").AllTextContentsAsync()).Select(t => t.TrimStart('#', '1', '2'))];
        Assert.Equal([PriceLine, "System.Threading.Monitor.Enter_Slowpath(class System.Object)"], underlined.Order(StringComparer.Ordinal));
        await report.Page.Locator("#spots tbody tr").First.ClickAsync();
        Assert.Equal(1, await report.Page.Locator("#flame .frame.match").CountAsync());
    }

    [Fact]
    public async Task RunningAndWaitingAreColouredApart()
    {
        await using ReportPage report = await OpenShopReportAsync();

        string running = await BackgroundAsync(report.Frame(PriceLine));
        string waiting = await BackgroundAsync(report.Frame("System.Threading.Monitor.Enter_Slowpath(class System.Object)"));
        Assert.Contains("rgb(244, 162, 107) 100%", running, StringComparison.Ordinal);
        Assert.Contains("rgb(143, 177, 251) 0%", waiting, StringComparison.Ordinal);
        Assert.Contains("waiting (blocked, native)", await report.Page.TextContentAsync("#legend"), StringComparison.Ordinal);

        await report.Page.SelectOptionAsync("#color-mode", "frame");
        Assert.StartsWith("rgb(", await BackgroundAsync(report.Frame(PriceLine)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TinyFramesArePrunedWithAVisibleNote()
    {
        var lines = new List<string> { Records.Header() };
        var request = new FakeRequest("wide");
        for (int dump = 1; dump <= 3000; dump++)
        {
            // One heavy path and 1 000 paths of one sample each.
            string leaf = dump <= 2000 ? "Work.Heavy()" : $"Work.Tiny{dump}()";
            lines.Add(request.Dump(dump, "Program.Main()", leaf));
        }

        lines.Add(request.End(4_000_000));
        string path = WriteReport(lines, new HtmlReportOptions { MinFrameShare = 0.001 });

        await using ReportPage report = await ReportPage.OpenAsync(browser.Browser, path);

        Assert.StartsWith("1,000 frames hidden: call paths with fewer than 3 samples", await report.Page.TextContentAsync("#hidden-note"), StringComparison.Ordinal);
        Assert.Equal(3, await report.Page.Locator("#flame .frame").CountAsync()); // all, Main, Heavy
        await report.Frame("Program.Main()").HoverAsync();
        Assert.Contains("1,000 samples in hidden call paths below", await report.Page.TextContentAsync("#tooltip"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileFrameAndRequestNamesRenderAsTextAndRunNothing()
    {
        string[] hostile =
        [
            "Program.<Main>$(class System.String[])",
            "Shop.<>c__DisplayClass0_0.<Run>b__0()",
            "</script><img src=x onerror=alert(1)>",
            "<img src=x onerror=\"window.__pwned=1\">",
        ];
        var request = new FakeRequest("evil\"><script>alert(3)</script>", "GET /<script>alert(2)</script>");
        var lines = new List<string> { Records.Header(), request.Dump(1, hostile), request.Dump(2, hostile), request.End(3000) };
        string path = WriteReport(lines);

        await using ReportPage report = await ReportPage.OpenAsync(browser.Browser, path);

        string[] drawn = await report.DrawnFrameNamesAsync();
        foreach (string name in hostile)
        {
            Assert.Contains(name, drawn);
        }

        Assert.Equal("GET /<script>alert(2)</script>", await report.Page.Locator("#requests tbody tr td").Nth(1).TextContentAsync());
        await report.Page.Locator("#requests .open-graph").ClickAsync();
        Assert.Contains(hostile[2], await report.DrawnFrameNamesAsync());
        await report.Frame(hostile[3]).HoverAsync();
        Assert.StartsWith(hostile[3], await report.Page.TextContentAsync("#tooltip"), StringComparison.Ordinal);
        await report.Page.FillAsync("#search", "<img");
        await report.Page.PressAsync("#search", "Enter");
        Assert.Equal(2, await report.Page.Locator("#flame .frame.match").CountAsync());

        Assert.Equal(0, await report.Page.Locator("img").CountAsync());
        Assert.Equal(2, await report.Page.Locator("script").CountAsync()); // the data element and the report's script only
        Assert.Null(await report.Page.EvaluateAsync<int?>("window.__pwned"));
        Assert.Empty(report.Dialogs);
        Assert.Empty(report.ConsoleErrors);
        Assert.Empty(report.PageErrors);
        Assert.All(report.Requests, url => Assert.StartsWith("file://", url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEmptySelectionIsAnEmptyPageNotABrokenOne()
    {
        string records = _dir.Write("shop.jsonl", Samples.ShopLines());
        Profile profile = Analyzer.Analyze(RecordReader.ReadFiles([records]), new AnalysisOptions { Where = RequestFilter.Parse("name~nothing") });
        string path = _dir.File("empty.html");
        using (FileStream file = File.Create(path))
        {
            ReportWriter.WriteHtml(profile, file);
        }

        await using ReportPage report = await ReportPage.OpenAsync(browser.Browser, path);

        Assert.StartsWith("0 samples of 0 slow requests.", await report.Page.TextContentAsync("#summary"), StringComparison.Ordinal);
        Assert.Contains("Where: name~nothing.", await report.Page.TextContentAsync("#summary"), StringComparison.Ordinal);
        Assert.Equal("No samples in this selection: nothing to draw.", await report.Page.TextContentAsync("#hidden-note"));
        Assert.Equal(0, await report.Page.Locator("#requests tbody tr").CountAsync());
        Assert.StartsWith("No spot", await report.Page.TextContentAsync("#spots-note"), StringComparison.Ordinal);
        Assert.Empty(report.PageErrors);
        Assert.Empty(report.ConsoleErrors);
    }

    private static async Task<string> BackgroundAsync(ILocator frame) =>
        await frame.EvaluateAsync<string>("e => getComputedStyle(e).backgroundImage !== 'none' ? getComputedStyle(e).backgroundImage : getComputedStyle(e).backgroundColor");

    private Task<ReportPage> OpenShopReportAsync() => ReportPage.OpenAsync(browser.Browser, WriteReport(Samples.ShopLines()));

    private string WriteReport(IEnumerable<string> lines, HtmlReportOptions? options = null)
    {
        string records = _dir.Write("shop.jsonl", lines);
        Profile profile = Analyzer.Analyze(RecordReader.ReadFiles([records]));
        string path = _dir.File("report.html");
        using (FileStream file = File.Create(path))
        {
            ReportWriter.WriteHtml(profile, file, options);
        }

        return path;
    }
}

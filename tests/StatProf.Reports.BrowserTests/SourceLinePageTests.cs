using Microsoft.Playwright;
using StatProf.Analysis;
using StatProf.Analysis.Tests.Support;
using StatProf.Reports.BrowserTests.Support;

namespace StatProf.Reports.BrowserTests;

/// <summary>Source lines in the profile report: the tooltip's file:line and a zoomed method's samples by line.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class SourceLinePageTests(BrowserFixture browser) : IDisposable
{
    private const string Main = LineSamples.Main;
    private const string PriceAll = LineSamples.PriceAll;
    private const string PriceLine = LineSamples.PriceLine;
    private const string Pricing = LineSamples.File;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TheTooltipNamesTheFramesFileAndLine()
    {
        await using ReportPage report = await ReportPage.OpenAsync(browser.Browser, WriteReport(byLineBreakdown: true));

        await report.Frame(PriceLine).HoverAsync();
        string tip = (await report.Page.TextContentAsync("#tooltip"))!;
        Assert.Contains("Source: /src/Shop/Pricing.cs:line 26", tip, StringComparison.Ordinal);

        // Main has no line in the records: no source line in its tooltip.
        await report.Frame(Main).HoverAsync();
        tip = (await report.Page.TextContentAsync("#tooltip"))!;
        Assert.StartsWith(Main, tip, StringComparison.Ordinal);
        Assert.DoesNotContain("Source:", tip, StringComparison.Ordinal);

        // The footer still names the record file read.
        Assert.EndsWith("lines.jsonl", (await report.Page.TextContentAsync("#footer"))!.Trim(), StringComparison.Ordinal);
        Assert.Empty(report.PageErrors);
    }

    [Fact]
    public async Task ZoomingIntoAMethodShowsItsSamplesByLine()
    {
        await using ReportPage report = await ReportPage.OpenAsync(browser.Browser, WriteReport(byLineBreakdown: true));
        Assert.False(await report.Page.IsVisibleAsync("#lines-panel"));

        await report.Frame(PriceAll).ClickAsync();

        Assert.True(await report.Page.IsVisibleAsync("#lines-panel"));
        Assert.Equal("By line: " + PriceAll, await report.Page.TextContentAsync("#lines-title"));
        Assert.Equal(
            [
                [Pricing, "13", "0", "4", "66.7 %"],
                [Pricing, "15", "2", "2", "33.3 %"],
            ],
            await RowsAsync(report.Page));

        // PriceLine: its 4 samples at two lines, all self (it is the leaf).
        await report.Page.ClickAsync("#reset-zoom");
        Assert.False(await report.Page.IsVisibleAsync("#lines-panel"));
        await report.Frame(PriceLine).ClickAsync();
        Assert.Equal(
            [
                [Pricing, "26", "3", "3", "75.0 %"],
                [Pricing, "27", "1", "1", "25.0 %"],
            ],
            await RowsAsync(report.Page));

        // A method without lines has no breakdown.
        await report.Page.ClickAsync("#reset-zoom");
        await report.Frame(Main).ClickAsync();
        Assert.False(await report.Page.IsVisibleAsync("#lines-panel"));
        Assert.Empty(report.PageErrors);
    }

    [Fact]
    public async Task WithoutALineProfileThereIsNoBreakdownButTheTooltipStillNamesTheLine()
    {
        await using ReportPage report = await ReportPage.OpenAsync(browser.Browser, WriteReport(byLineBreakdown: false));

        await report.Frame(PriceAll).ClickAsync();
        Assert.False(await report.Page.IsVisibleAsync("#lines-panel"));
        await report.Frame(PriceAll).HoverAsync();
        Assert.Contains("Source: /src/Shop/Pricing.cs:line 13", (await report.Page.TextContentAsync("#tooltip"))!, StringComparison.Ordinal);
        Assert.Empty(report.PageErrors);
    }

    private static async Task<string[][]> RowsAsync(IPage page)
    {
        var rows = new List<string[]>();
        foreach (ILocator row in await page.Locator("#lines tbody tr").AllAsync())
        {
            rows.Add([.. await row.Locator("td").AllTextContentsAsync()]);
        }

        return [.. rows];
    }

    private string WriteReport(bool byLineBreakdown)
    {
        string records = _dir.Write("lines.jsonl", LineSamples.PricingLines());

        Profile profile = Analyzer.Analyze(RecordReader.ReadFiles([records]));
        Profile? lineProfile = byLineBreakdown
            ? Analyzer.Analyze(RecordReader.ReadFiles([records], new RecordReaderOptions { ByLine = true }))
            : null;
        string path = _dir.File("report.html");
        using (FileStream file = File.Create(path))
        {
            ReportWriter.WriteHtml(profile, file, new HtmlReportOptions { LineProfile = lineProfile });
        }

        return path;
    }
}

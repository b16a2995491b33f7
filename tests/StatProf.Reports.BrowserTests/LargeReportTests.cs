using System.Diagnostics;
using StatProf.Analysis;
using StatProf.Analysis.Tests.Support;
using StatProf.Reports.BrowserTests.Support;

namespace StatProf.Reports.BrowserTests;

/// <summary>A report with tens of thousands of call paths stays quick: it draws only what is visible.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class LargeReportTests(BrowserFixture browser) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TwentyThousandCallPathsLoadQuicklyAndOnlyVisibleBoxesAreDrawn()
    {
        // 200 requests of 100 dumps; every dump has a leaf of its own: 20 000 leaves under 50 modules.
        var lines = new List<string> { Records.Header() };
        for (int r = 0; r < 200; r++)
        {
            var request = new FakeRequest($"r{r}", $"GET /items/{r}");
            for (int dump = 1; dump <= 100; dump++)
            {
                int i = (r * 100) + dump - 1;
                lines.Add(request.Dump(dump, "Program.Main()", $"Shop.Module{i % 50:D2}.Run()", $"Shop.Component{i:D5}.Work()"));
            }

            lines.Add(request.End(25_000));
        }

        string records = _dir.Write("large.jsonl", lines);
        Profile profile = Analyzer.Analyze(RecordReader.ReadFiles([records]));
        string path = _dir.File("large.html");
        using (FileStream file = File.Create(path))
        {
            ReportWriter.WriteHtml(profile, file, new HtmlReportOptions { MinFrameShare = 0 }); // embed every path
        }

        var clock = Stopwatch.StartNew();
        await using ReportPage page = await ReportPage.OpenAsync(browser.Browser, path);
        TimeSpan load = clock.Elapsed;

        Assert.True(load < TimeSpan.FromSeconds(30), $"loaded in {load.TotalSeconds:F1} s"); // the figure is measured in docs; this catches a page that hangs
        int drawn = await page.Page.EvaluateAsync<int>("window.statprofReport.drawnFrames()");
        Assert.InRange(drawn, 50, 3_000); // the 50 modules and their parents, not 20 000 slivers
        Assert.Matches(@"^[\d,]+ more frames narrower than 1 px not drawn at this zoom", await page.Page.TextContentAsync("#hidden-note"));

        await page.Page.FillAsync("#search", "Component1999"); // Component19990 … Component19999
        await page.Page.PressAsync("#search", "Enter");
        Assert.Equal("10 matching frames · 0.05 % of samples", await page.Page.TextContentAsync("#search-result"));

        await page.Frame("Shop.Module07.Run()").ClickAsync();
        Assert.Equal(["all", "Program.Main()", "Shop.Module07.Run()"], await page.BreadcrumbAsync());
        Assert.Equal(400, await page.Page.Locator("#flame .frame:not(.ancestor)").CountAsync() - 1); // its 400 leaves, each 3 px wide
        Assert.Empty(page.PageErrors);
    }
}

using Microsoft.Playwright;
using StatProf.Analysis;
using StatProf.Analysis.Tests.Support;
using StatProf.Reports.BrowserTests.Support;

namespace StatProf.Reports.BrowserTests;

/// <summary>The differential flame graph of <c>statprof diff --format html</c>, in headless Chromium.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class DiffPageTests(BrowserFixture browser) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GrownFramesAreRedShrunkBlueNoiseGreyWithBeforeAndAfterInTheTooltip()
    {
        // Before: a report blocked on a lock and a job. After: the same plus three order pages pricing line by line.
        List<string> lines = Samples.ShopLines();
        Profile before = Analyze(_dir.Write("before.jsonl", lines.Where(l => !l.Contains("\"id\":\"o", StringComparison.Ordinal))));
        Profile after = Analyze(_dir.Write("after.jsonl", lines));
        string path = _dir.File("diff.html");
        using (FileStream file = File.Create(path))
        {
            ReportWriter.WriteHtml(ProfileDiff.Compare(before, after), file);
        }

        await using ReportPage page = await ReportPage.OpenAsync(browser.Browser, path);

        Assert.Equal("StatProf diff", await page.Page.TextContentAsync("#title"));
        Assert.Equal("change", await page.Page.InputValueAsync("#color-mode"));
        Assert.Matches(@"^rgba?\(214, 39, 40", await Background(page.Frame("Shop.Pricing.PriceLine(int32)")));
        Assert.Matches(@"^rgba?\(31, 119, 180", await Background(page.Frame("Shop.Reports.Build()")));
        Assert.Equal("rgb(208, 208, 212)", await Background(page.Frame("all")));

        await page.Frame("Shop.Pricing.PriceLine(int32)").HoverAsync();
        string tip = (await page.Page.TextContentAsync("#tooltip"))!;
        Assert.Contains("Before → after: self 0.0 % → 0.0 %, total 0.0 % → 78.3 %", tip, StringComparison.Ordinal);
        Assert.Contains("Verdict: grew significantly", tip, StringComparison.Ordinal);

        ILocator rows = page.Page.Locator("#changes tbody tr");
        Assert.True(await rows.CountAsync() > 2);
        string changes = (await page.Page.TextContentAsync("#changes tbody"))!;
        Assert.Contains("Shop.Pricing.PriceLine(int32)grew", changes, StringComparison.Ordinal);
        Assert.Contains("Shop.Reports.Build()shrank", changes, StringComparison.Ordinal);
        Assert.Contains("frames grew and", await page.Page.TextContentAsync("#changes-note"), StringComparison.Ordinal);
        Assert.Empty(page.PageErrors);
        Assert.Empty(page.ConsoleErrors);
    }

    private static Profile Analyze(string file) => Analyzer.Analyze(RecordReader.ReadFiles([file]));

    private static Task<string> Background(ILocator frame) => frame.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
}

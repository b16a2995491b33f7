using Microsoft.Playwright;

namespace StatProf.Reports.BrowserTests.Support;

/// <summary>
/// A report opened in a fresh browser page from <c>file://</c>, with everything that would betray a
/// script that should not have run: dialogs, console errors, page errors, requests leaving the file.
/// </summary>
internal sealed class ReportPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private ReportPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> Dialogs { get; } = [];

    public List<string> ConsoleErrors { get; } = [];

    public List<string> PageErrors { get; } = [];

    public List<string> Requests { get; } = [];

    public static async Task<ReportPage> OpenAsync(IBrowser browser, string path, string hash = "")
    {
        IBrowserContext context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        IPage page = await context.NewPageAsync();
        var report = new ReportPage(context, page);
        page.Dialog += async (_, dialog) =>
        {
            report.Dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                report.ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => report.PageErrors.Add(error);
        page.Request += (_, request) => report.Requests.Add(request.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri + hash);
        await page.WaitForFunctionAsync("document.body.dataset.ready === 'true'");
        return report;
    }

    /// <summary>The drawn frame (not a zoom ancestor) with exactly this name.</summary>
    public ILocator Frame(string name) =>
        Page.Locator("#flame .frame:not(.ancestor)").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^(#\\d+)?" + System.Text.RegularExpressions.Regex.Escape(name) + "$") });

    public async Task<string[]> DrawnFrameNamesAsync() =>
        [.. (await Page.Locator("#flame .frame:not(.ancestor)").AllTextContentsAsync()).Select(t => System.Text.RegularExpressions.Regex.Replace(t, "^#\\d+", ""))];

    public async Task<string[]> BreadcrumbAsync() => [.. await Page.Locator("#breadcrumb button").AllTextContentsAsync()];

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

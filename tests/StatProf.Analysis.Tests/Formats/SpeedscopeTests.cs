using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Formats;

/// <summary>
/// <c>report --format speedscope</c> checked by speedscope itself: the app of the pinned <c>speedscope</c>
/// npm package (Formats/Speedscope, installed by .ci/run) served on 127.0.0.1 and opened in Debian's
/// Chromium, and the package's file-format JSON schema. Linux only (Debian's /usr/bin/chromium).
/// </summary>
public sealed class SpeedscopeTests : IDisposable
{
    private const string Main = "Program.<Main>$(class System.String[])";
    private readonly TempDirectory _dir = new();
    private readonly ReportCli _cli = new();

    public void Dispose()
    {
        _dir.Dispose();
        _cli.Dispose();
    }

    [Fact]
    public async Task TheRealSpeedscopeAppOpensTheFileWithOneProfilePerRequest()
    {
        string output = Export(Samples.ShopLines(), "shop.speedscope.json", "--no-default-ignores");
        AssertFixtureInstalled();
        using var server = new StaticFileServer(RepoPaths.SpeedscopeApp);
        string profileUrl = server.Add("shop.speedscope.json", output);

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        });
        IPage page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync($"{server.BaseUrl}index.html#profileURL={Uri.EscapeDataString(profileUrl)}");

        // The toolbar names the first profile (the slowest request) and the count of profiles.
        await page.GetByText("(1/5)").WaitForAsync();
        Assert.Contains("GET /orders/2 (o2)", await page.InnerTextAsync("body"), StringComparison.Ordinal);

        // Its profile list names every request with its weight in samples.
        await page.GetByText("(1/5)").ClickAsync();
        await page.GetByText("export (j1)").WaitForAsync();
        string list = await page.InnerTextAsync("body");
        Assert.Contains("1\tGET /orders/2 (o2)\t6", list, StringComparison.Ordinal);
        Assert.Contains("2\tGET /orders/1 (o1)\t6", list, StringComparison.Ordinal);
        Assert.Contains("3\tGET /orders/0 (o0)\t6", list, StringComparison.Ordinal);
        Assert.Contains("4\tGET /report (r1)\t4", list, StringComparison.Ordinal);
        Assert.Contains("5\texport (j1)\t1", list, StringComparison.Ordinal);
        await page.Keyboard.PressAsync("Escape");

        // The Sandwich view tabulates the first profile's frames with total and self weights.
        await page.GetByText("Sandwich").ClickAsync();
        await page.GetByText("Shop.Pricing.PriceLine(int32)").WaitForAsync();
        string table = await page.InnerTextAsync("body");
        Assert.Matches(@"6 \(100%\)\s+0 \(<0\.01%\)\s+Shop\.Pricing\.PriceLine\(int32\)", table);
        Assert.Matches(@"2 \(33%\)\s+2 \(33%\)\s+Shop\.Pricing\.Tax\(int32\)", table);
        Assert.Contains(Main, table, StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Fact]
    public void OutputsValidateAgainstTheSchemaOfTheSpeedscopePackage()
    {
        var hostile = new FakeRequest("h1", "GET /<script>alert(1)</script>");
        string shop = Export(Samples.ShopLines(), "shop.json");
        string odd = Export(
            [Records.Header(), hostile.Dump(1, "App.\"Quoted\"\\Name", "</script><img src=x onerror=alert(1)>"), hostile.Dump(2, DumpState.Waiting)],
            "hostile.json");
        string folded = _dir.File("folded.json");
        Assert.Equal(0, _cli.Report(_dir.WriteText("in.folded", "a;b 2\na;c 1\n"), "--format", "speedscope", "-o", folded));
        AssertFixtureInstalled();

        (int exit, string text) = Run("node", RepoPaths.SpeedscopeValidator, shop, odd, folded);

        Assert.True(exit == 0, text);
        Assert.Equal(3, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(line => line.StartsWith("valid ", StringComparison.Ordinal)));
    }

    [Fact]
    public void FramesAreSharedAndEachRequestsSamplesAreWeighted()
    {
        string output = Export(Samples.ShopLines(), "shop.json", "--where", "name~orders or name~report", "--ignore", "System.Threading.*");

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(output));
        JsonElement root = json.RootElement;
        Assert.Equal("https://www.speedscope.app/file-format-schema.json", root.GetProperty("$schema").GetString());
        string[] frames = root.GetProperty("shared").GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(frames.Length, frames.Distinct().Count());
        Assert.DoesNotContain("System.Threading.Monitor.Enter_Slowpath(class System.Object)", frames);
        Assert.Equal("Shop", root.GetProperty("shared").GetProperty("frames")[0].GetProperty("file").GetString());
        JsonElement[] profiles = root.GetProperty("profiles").EnumerateArray().ToArray();
        Assert.Equal(["GET /orders/2 (o2)", "GET /orders/1 (o1)", "GET /orders/0 (o0)", "GET /report (r1)"], profiles.Select(p => p.GetProperty("name").GetString()));
        foreach (JsonElement profile in profiles)
        {
            Assert.Equal("sampled", profile.GetProperty("type").GetString());
            Assert.Equal("none", profile.GetProperty("unit").GetString());
            int[][] samples = profile.GetProperty("samples").EnumerateArray().Select(s => s.EnumerateArray().Select(f => f.GetInt32()).ToArray()).ToArray();
            long[] weights = profile.GetProperty("weights").EnumerateArray().Select(w => w.GetInt64()).ToArray();
            Assert.Equal(samples.Length, weights.Length);
            Assert.All(samples.SelectMany(s => s), index => Assert.InRange(index, 0, frames.Length - 1));
            Assert.Equal(profile.GetProperty("endValue").GetInt64(), weights.Sum());
        }

        JsonElement report = profiles[3];
        Assert.Equal([Main, "Shop.Reports.Build()"], report.GetProperty("samples")[0].EnumerateArray().Select(i => frames[i.GetInt32()]));
        Assert.Equal(4, report.GetProperty("weights")[0].GetInt64());
        Assert.Equal(
            [2L, 2L, 2L],
            profiles[0].GetProperty("weights").EnumerateArray().Select(w => w.GetInt64()));
    }

    [Fact]
    public void FramesCarryTheirSourceFileAndLine()
    {
        string byMethod = Export(LineSamples.PricingLines(), "lines.json");
        string byLine = Export(LineSamples.PricingLines(), "by-line.json", "--by-line");

        Dictionary<string, JsonElement> frames = FramesOf(byMethod);
        Assert.Equal(LineSamples.File, frames[LineSamples.PriceLine].GetProperty("file").GetString());
        Assert.Equal(26, frames[LineSamples.PriceLine].GetProperty("line").GetInt32()); // the first line seen
        Assert.Equal(13, frames[LineSamples.PriceAll].GetProperty("line").GetInt32());
        Assert.Equal("Shop", frames[LineSamples.Main].GetProperty("file").GetString()); // no line: the module, as before
        Assert.False(frames[LineSamples.Main].TryGetProperty("line", out _));

        frames = FramesOf(byLine);
        Assert.Equal(27, frames[$"{LineSamples.PriceLine} in {LineSamples.File}:line 27"].GetProperty("line").GetInt32());
        Assert.Equal(15, frames[$"{LineSamples.PriceAll} in {LineSamples.File}:line 15"].GetProperty("line").GetInt32());
        Assert.Equal(LineSamples.File, frames[$"{LineSamples.PriceAll} in {LineSamples.File}:line 15"].GetProperty("file").GetString());

        AssertFixtureInstalled();
        (int exit, string text) = Run("node", RepoPaths.SpeedscopeValidator, byMethod, byLine);
        Assert.True(exit == 0, text);
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(line => line.StartsWith("valid ", StringComparison.Ordinal)));
    }

    private static Dictionary<string, JsonElement> FramesOf(string path)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("shared").GetProperty("frames").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone(), StringComparer.Ordinal);
    }

    private static void AssertFixtureInstalled() =>
        Assert.True(
            Directory.Exists(RepoPaths.SpeedscopeApp),
            $"the speedscope npm package is missing: run 'npm ci' in tests/StatProf.Analysis.Tests/Formats/Speedscope (.ci/run does).");

    private static (int Exit, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"{program} did not finish in 60 s");
        return (process.ExitCode, stdout + stderr.Result);
    }

    private string Export(IEnumerable<string> lines, string name, params string[] options)
    {
        string records = _dir.Write(Path.ChangeExtension(name, ".jsonl"), lines);
        string output = _dir.File(name);
        int exit = _cli.Report([records, "--format", "speedscope", "-o", output, .. options]);
        Assert.True(exit == 0, _cli.Stderr.ToString());
        return output;
    }
}

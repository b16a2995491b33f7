using StatProf.Cli.Commands;

namespace StatProf.Cli.Tests.Commands;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-demo-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void DemoLoadsTheShopRecordsItsSlowRequestsAndPointsAtThePricingLoop()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // 15 s: the logger's session starts seconds late on a saturated machine, and the slow orders
        // it records must come after that.
        int exit = DemoCommand.Run(new DemoSettings(TimeSpan.FromSeconds(15), _directory, 4), stdout, stderr);

        string output = stdout.ToString();
        Assert.True(exit == 0, stderr.ToString() + output);
        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Matches(@"\d+ requests sent \(0 failed\), [1-9]\d* slow requests recorded", output);
        Assert.Contains("optimization spot", output);
        Assert.Contains("StatProf.ShopDemo.Orders.OrderPricing", output);
        // Ordinal: a culture-aware search ignores the control character and finds any "[" (a generic
        // frame name, Dictionary`2[System.__Canon,...], in the table failed this once).
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal); // not a terminal: no colour codes

        string[] records = Directory.GetFiles(_directory, "shop-*.jsonl");
        Assert.NotEmpty(records);
        string report = File.ReadAllText(Path.Combine(_directory, "report.html"));
        Assert.Contains("<table id=\"spots\">", report);
        Assert.Contains("id=\"statprof-data\"", report); // the interactive report, with its data
        Assert.Contains("\"names\":[", report);
        Assert.Contains("StatProf.ShopDemo.Orders.OrderPricing", report);
        Assert.Contains("token=REDACTED", report);
        Assert.DoesNotContain("demo-secret", report);
        Assert.DoesNotContain("demo-secret", string.Concat(records.Select(File.ReadAllText)));
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(-1, 4)]
    [InlineData(4000, 4)]
    [InlineData(5, 0)]
    public void DemoRefusesSettingsOutOfRangeWithOneLine(double seconds, int users)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exit = DemoCommand.Run(new DemoSettings(TimeSpan.FromSeconds(seconds), _directory, users), stdout, stderr);

        Assert.NotEqual(0, exit);
        string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("statprof demo: --", line);
    }
}

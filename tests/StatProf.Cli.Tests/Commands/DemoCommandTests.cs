using StatProf.Cli.Commands;

namespace StatProf.Cli.Tests.Commands;

public sealed class DemoCommandTests
{
    [Fact]
    public void DemoShowsBothRequestThreadsAndTheFramesTheyRanIn()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exit = DemoCommand.Run(TimeSpan.FromSeconds(2), stdout, stderr);

        string output = stdout.ToString();
        Assert.True(exit == 0, stderr.ToString());
        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Contains("orders", output);
        Assert.Contains("reports", output);
        Assert.Contains("OrderPage", output);
        Assert.Contains("Monitor.Enter", output);
        Assert.Matches(@"tick \d+\.\d\d ms", output);
        Assert.DoesNotContain("BackupJob", output); // the backup thread is not a request: never sampled
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(4000)]
    public void DemoRefusesADurationOutOfRangeWithOneLine(double seconds)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exit = DemoCommand.Run(TimeSpan.FromSeconds(seconds), stdout, stderr);

        Assert.NotEqual(0, exit);
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--duration", stderr.ToString());
    }
}

using System.Diagnostics;
using System.Text;

namespace StatProf.Cli.Tests.Commands;

/// <summary>
/// The reading progress bar of <c>statprof report</c>, seen as a user sees it: the real tool run on a
/// pseudo-terminal (util-linux <c>script</c>, Linux only) shows it on stderr; with stderr redirected
/// (pipes, CI) nothing is printed.
/// </summary>
public sealed class ReportProgressTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-progress-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ATerminalSeesAProgressBarWhileALargeInputIsRead()
    {
        string input = WriteLargeFoldedFile();
        string output = Path.Combine(_directory, "out.folded");

        (int exit, string terminal, _) = Run("script", "-qfec", $"dotnet '{StatprofDll}' report '{input}' --format folded -o '{output}'", "/dev/null");

        Assert.True(exit == 0, terminal);
        Assert.Contains("reading", terminal, StringComparison.Ordinal);
        Assert.Matches(@"\d+%", terminal);
        Assert.Contains("MB", terminal, StringComparison.Ordinal);
        Assert.Contains($"wrote {output}", terminal, StringComparison.Ordinal);
    }

    [Fact]
    public void RedirectedStderrGetsNothing()
    {
        string input = WriteLargeFoldedFile();
        string output = Path.Combine(_directory, "out.folded");

        (int exit, string stdout, string stderr) = Run("dotnet", StatprofDll, "report", input, "--format", "folded", "-o", output);

        Assert.True(exit == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        Assert.StartsWith("statprof report: wrote", stdout, StringComparison.Ordinal);
        Assert.Equal("Main;Orders.Get;Pricing.PriceLine;Leaf0 600000", File.ReadLines(output).First());
    }

    private static string StatprofDll => Path.Combine(AppContext.BaseDirectory, "statprof.dll");

    /// <summary>About 8 MB of folded stacks (above the 4 MiB from which the bar is shown).</summary>
    private string WriteLargeFoldedFile()
    {
        string path = Path.Combine(_directory, "large.folded");
        var text = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            text.Append("Main;Orders.Get;Pricing.PriceLine;Leaf").Append(i % 10).Append(" 30\n");
        }

        File.WriteAllText(path, text.ToString());
        Assert.True(new FileInfo(path).Length > 6 * 1024 * 1024);
        return path;
    }

    private static (int Exit, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"{program} did not finish in 120 s");
        return (process.ExitCode, stdout, stderr.Result);
    }
}

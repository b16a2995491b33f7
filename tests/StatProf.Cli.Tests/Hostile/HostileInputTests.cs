using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StatProf.Cli.Tests.Record;
using Xunit.Abstractions;

namespace StatProf.Cli.Tests.Hostile;

/// <summary>
/// Hostile input to <c>statprof report</c> and <c>statprof diff</c>, run as real child processes
/// under <c>/usr/bin/time</c> for their peak resident set: whatever the file, the CLI ends with
/// exit 0 and the bad lines skipped and counted, or exit 3 and one line on stderr; never a .NET
/// stack trace, and memory bounded by the reader's line cap, not by the input.
/// </summary>
public sealed class HostileInputTests(HostileFiles files, ITestOutputHelper output) : IClassFixture<HostileFiles>
{
    /// <summary>
    /// Peak resident set allowed to one CLI run. A plain run takes about 60 to 90 MB here
    /// (docs/reliability.md); buffering the 100 MB line once would pass 200 MB.
    /// </summary>
    private const long PeakLimitKb = 190 * 1024;

    private sealed record Run(int Exit, string Stdout, string[] StderrLines, long PeakKb);

    private Run Statprof(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["-f", "peak-kb %M", Targets.Dotnet, Targets.StatprofDll, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), "statprof ended");
        process.WaitForExit();
        var lines = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        string peak = Assert.Single(lines, l => l.StartsWith("peak-kb ", StringComparison.Ordinal));
        lines.Remove(peak);
        lines.RemoveAll(l => l.StartsWith("Command exited with non-zero status", StringComparison.Ordinal)); // time's own line
        var run = new Run(process.ExitCode, stdout.Result, [.. lines], long.Parse(peak["peak-kb ".Length..], CultureInfo.InvariantCulture));
        output.WriteLine($"statprof {string.Join(' ', arguments.Select(Path.GetFileName))}: exit {run.Exit}, peak {run.PeakKb / 1024.0:F1} MB, stderr: {string.Join(" | ", run.StderrLines)}");
        return run;
    }

    /// <summary>Exit 0 with a JSON report, or exit 3 with one line; no stack trace; bounded memory.</summary>
    private static JsonElement? AssertCleanOutcome(Run run)
    {
        Assert.True(run.PeakKb < PeakLimitKb, $"peak resident set {run.PeakKb} KB");
        Assert.DoesNotContain(run.StderrLines, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Unhandled", StringComparison.Ordinal));
        if (run.Exit == 0)
        {
            return JsonDocument.Parse(run.Stdout).RootElement.Clone();
        }

        Assert.Equal(3, run.Exit);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith("statprof ", line);
        return null;
    }

    private static long Skipped(JsonElement report, string reason) => report.GetProperty("skipped").GetProperty(reason).GetInt64();

    [Fact]
    public void TheValidFileReadsWithNothingSkipped()
    {
        JsonElement report = AssertCleanOutcome(Statprof("report", files.Valid, "--format", "json"))!.Value;

        Assert.Equal(2, report.GetProperty("samples").GetInt32());
        Assert.Equal(0, report.GetProperty("skippedLines").GetInt64());
    }

    [Fact]
    public void ATruncatedFileKeepsItsCompleteLinesAndCountsTheCutOne()
    {
        JsonElement report = AssertCleanOutcome(Statprof("report", files.Truncated, "--format", "json"))!.Value;

        Assert.Equal(2, report.GetProperty("samples").GetInt32());
        Assert.Equal(1, Skipped(report, "truncated"));
    }

    [Fact]
    public void AHundredMegabyteLineIsSkippedWithoutBeingHeldInMemory()
    {
        Run run = Statprof("report", files.HugeLine, "--format", "json");
        JsonElement report = AssertCleanOutcome(run)!.Value;

        Assert.Equal(1, Skipped(report, "oversized"));
        Assert.Equal(2, report.GetProperty("samples").GetInt32()); // the lines after it were read
        Assert.True(run.PeakKb < HostileFiles.HugeLineBytes / 1024, $"peak {run.PeakKb} KB for a {HostileFiles.HugeLineBytes} byte line");
    }

    [Fact]
    public void NestingTenThousandDeepIsSkippedAndCounted()
    {
        JsonElement report = AssertCleanOutcome(Statprof("report", files.Deep, "--format", "json"))!.Value;

        Assert.Equal(2, report.GetProperty("samples").GetInt32());
        Assert.Equal(3, report.GetProperty("skippedLines").GetInt64());
    }

    [Fact]
    public void InvalidUtf8IsSkippedAndCounted()
    {
        JsonElement report = AssertCleanOutcome(Statprof("report", files.InvalidUtf8, "--format", "json"))!.Value;

        Assert.Equal(2, report.GetProperty("samples").GetInt32());
        Assert.Equal(4, report.GetProperty("skippedLines").GetInt64());
        Assert.True(Skipped(report, "invalidUtf8") >= 1);
    }

    [Fact]
    public void WrongTypesAreSkippedAndCounted()
    {
        JsonElement report = AssertCleanOutcome(Statprof("report", files.WrongTypes, "--format", "json"))!.Value;

        Assert.Equal(2, report.GetProperty("samples").GetInt32());
        Assert.Equal(13, report.GetProperty("skippedLines").GetInt64());
    }

    [Fact]
    public void FoldedStacksWithBinaryGarbageKeepTheirGoodLines()
    {
        JsonElement report = AssertCleanOutcome(Statprof("report", files.GarbageFolded, "--format", "json"))!.Value;

        Assert.Equal(20, report.GetProperty("samples").GetInt32());
        Assert.True(report.GetProperty("skippedLines").GetInt64() >= 1);
    }

    [Fact]
    public async Task ANetTraceCutInHalfIsReadAsFarAsItGoesOrRefusedInOneLine()
    {
        (string whole, string half) = await files.NetTraceAsync();

        JsonElement wholeReport = AssertCleanOutcome(Statprof("report", whole, "--format", "json"))!.Value;
        Run run = Statprof("report", half, "--format", "json");
        JsonElement? halfReport = AssertCleanOutcome(run);

        Assert.True(wholeReport.GetProperty("samples").GetInt32() > 0);
        if (halfReport is { } report)
        {
            Assert.True(report.GetProperty("samples").GetInt32() <= wholeReport.GetProperty("samples").GetInt32());
        }
        else
        {
            Assert.Contains("half.nettrace", run.StderrLines[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DiffOfHostileFilesIsCleanToo()
    {
        AssertCleanOutcome(Statprof("diff", files.HugeLine, files.Deep, "--format", "json"));
        AssertCleanOutcome(Statprof("diff", files.InvalidUtf8, files.GarbageFolded, "--format", "json"));
        AssertCleanOutcome(Statprof("diff", files.Truncated, files.WrongTypes, "--format", "json"));
    }

    [Fact]
    public void EveryReportFormatOfAHostileFileIsWritten()
    {
        foreach (string format in new[] { "text", "html", "folded", "speedscope" })
        {
            Run run = Statprof("report", files.WrongTypes, files.InvalidUtf8, files.Deep, "--format", format);
            Assert.Equal(0, run.Exit);
            Assert.True(run.Stdout.Length > 0, format);
            Assert.True(run.PeakKb < PeakLimitKb, $"{format}: peak {run.PeakKb} KB");
        }
    }
}

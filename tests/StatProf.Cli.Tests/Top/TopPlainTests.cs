using System.Diagnostics;
using System.Globalization;
using StatProf.Cli.Tests.Record;

namespace StatProf.Cli.Tests.Top;

/// <summary>
/// <c>statprof top</c> with stdout redirected (scripts, CI): the real tool, on a real BusyTarget,
/// prints plain-text snapshots in which the busy method is the hottest frame and the blocked thread
/// waits; it stops after the snapshots asked for, or when the target exits.
/// </summary>
public sealed class TopPlainTests
{
    [Fact]
    public void OnceShowsTheBusyMethodAsTheHottestFrameAndTheBlockedThreadWaiting()
    {
        using Process target = Targets.StartBusyTarget(seconds: 60);
        try
        {
            var (exit, stdout, stderr) = Targets.Run(Targets.Dotnet, [Targets.StatprofDll, "top", "-p", Id(target), "--once"]);

            Assert.True(exit == 0, stderr);
            Assert.Equal(string.Empty, stderr);
            string[] lines = stdout.Split('\n');
            Assert.Matches($@"^statprof top - \S+ \(pid {target.Id}\), \.NET \d+\.\d+\.\d+ - .* samples/s, dropped \d+, \d+ threads$", lines[0]);
            int title = Array.FindIndex(lines, l => l.StartsWith("Hottest frames over the last 10 s (", StringComparison.Ordinal));
            Assert.True(title > 0, stdout);
            Assert.Contains("Busy.Spin", lines[title + 2], StringComparison.Ordinal); // the first row under the heading
            string blocked = Assert.Single(lines, l => l.Contains(" blocked ", StringComparison.Ordinal));
            Assert.Contains(" waiting ", blocked, StringComparison.Ordinal);
            Assert.Contains("WaitOne", blocked, StringComparison.Ordinal);
            Assert.Single(lines, l => l.StartsWith("statprof top - ", StringComparison.Ordinal)); // one snapshot
            Assert.False(target.HasExited);
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    [Fact]
    public void IterationsPrintThatManySnapshots()
    {
        using Process target = Targets.StartBusyTarget(seconds: 60);
        try
        {
            var (exit, stdout, stderr) = Targets.Run(Targets.Dotnet, [Targets.StatprofDll, "top", "-p", Id(target), "--iterations", "3", "--refresh", "0.3", "--window", "2"]);

            Assert.True(exit == 0, stderr);
            string[] headers = stdout.Split('\n').Where(l => l.StartsWith("statprof top - ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(3, headers.Length);
            Assert.Equal(3, stdout.Split('\n').Count(l => l.StartsWith("Hottest frames over the last 2 s (", StringComparison.Ordinal)));
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    [Fact]
    public void ATargetThatExitsEndsTopWithALastLineAndExitCodeZero()
    {
        // Long enough for the statprof process to start and attach on a saturated machine (8 s was
        // not always), and then it exits on its own.
        using Process target = Targets.StartBusyTarget(seconds: 20);
        try
        {
            var clock = Stopwatch.StartNew();

            var (exit, stdout, stderr) = Targets.Run(Targets.Dotnet, [Targets.StatprofDll, "top", "-p", Id(target), "--refresh", "0.5"]);

            Assert.True(exit == 0, stderr);
            Assert.Equal($"statprof top: process {target.Id} (dotnet) exited.", stderr.Trim());
            Assert.Contains("Busy.Spin", stdout, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "top kept running after its target exited");
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    [Fact]
    public void CtrlCStopsThePlainOutputWithExitCodeZero()
    {
        using Process target = Targets.StartBusyTarget(seconds: 60);
        try
        {
            using var top = new LiveProcess(Targets.Dotnet, [Targets.StatprofDll, "top", "-p", Id(target), "--refresh", "0.3"]);
            top.WaitForOutput("Busy.Spin", TimeSpan.FromSeconds(60));

            Assert.Equal(0, Signals.Interrupt(top.Id));

            Assert.Equal(0, top.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(string.Empty, top.Stderr);
            Assert.False(target.HasExited);
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    private static string Id(Process process) => process.Id.ToString(CultureInfo.InvariantCulture);
}

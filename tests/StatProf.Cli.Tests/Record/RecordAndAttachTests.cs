using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StatProf.Analysis;
using StatProf.Cli.Commands;

namespace StatProf.Cli.Tests.Record;

/// <summary>
/// <c>statprof record</c> and <c>statprof attach</c> on real BusyTarget processes: the busy method
/// dominates the main thread, the blocked thread is waiting, and the file ends saying how.
/// </summary>
public sealed class RecordAndAttachTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-record-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void RecordSeesTheBusyMethodAndTheBlockedThreadAndReturnsTheProgramsExitCode()
    {
        string path = Path.Combine(_directory, "record.jsonl");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exit = RecordCommand.Run(
            // 6 s of spinning: the recording also holds the runtime's start, which took 23 % of a 3 s
            // run's main-thread samples with the machine saturated.
            new RecordSettings { Command = [Targets.Dotnet, Targets.BusyTargetDll, "6", "7"], Output = path, IntervalMs = 10 },
            stdout,
            stderr,
            CancellationToken.None);

        Assert.True(exit == 7, stderr.ToString());
        Assert.Matches(@"^statprof: target exited; \d+ threads, \d+ dumps of process \d+ ", stderr.ToString());
        RecordSet set = RecordReader.ReadFiles([path]);
        AssertBusyAndBlocked(set, PidOf(path));

        // The recording started before the program's first instruction: its main thread's first
        // stack is the runtime starting up, not yet Busy.Spin.
        string[] lines = Targets.Lines(path);
        using JsonDocument header = JsonDocument.Parse(lines[0]);
        Assert.Equal(10, header.RootElement.GetProperty("intervalMs").GetDouble());

        // The runtime the target told over its diagnostic port (the one running these tests), even while suspended at start.
        Assert.Equal(".NET " + Environment.Version.ToString(3), header.RootElement.GetProperty("process").GetProperty("runtime").GetString());
        AssertEndsWith(lines, "ok");

        // Stacks and request names are the target's data: the file is its owner's only.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void AttachForADurationSeesTheBusyMethodAndTheBlockedThreadAndEndsThemCancelled()
    {
        using Process target = Targets.StartBusyTarget(seconds: 60);
        try
        {
            string path = Path.Combine(_directory, "attach.jsonl");
            using var stderr = new StringWriter();

            int exit = AttachCommand.Run(new AttachSettings { ProcessId = target.Id, Output = path, DurationSeconds = 3 }, TextWriter.Null, stderr, CancellationToken.None);

            Assert.True(exit == 0, stderr.ToString());
            Assert.StartsWith("statprof: recording stopped; ", stderr.ToString());
            Assert.False(target.HasExited);
            RecordSet set = RecordReader.ReadFiles([path]);
            Assert.Equal(target.Id, PidOf(path));
            using (JsonDocument header = JsonDocument.Parse(Targets.Lines(path)[0]))
            {
                Assert.Equal(".NET " + Environment.Version.ToString(3), header.RootElement.GetProperty("process").GetProperty("runtime").GetString());
            }

            AssertBusyAndBlocked(set, target.Id);
            AssertEndsWith(Targets.Lines(path), "cancelled");
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    [Fact]
    public void AttachUntilTheTargetExitsKeepsAValidFileWhoseLastLinesSayItEnded()
    {
        using Process target = Targets.StartBusyTarget(seconds: 5);
        try
        {
            string path = Path.Combine(_directory, "exits.jsonl");
            using var stderr = new StringWriter();
            var clock = Stopwatch.StartNew();

            int exit = AttachCommand.Run(new AttachSettings { ProcessId = target.Id, Output = path }, TextWriter.Null, stderr, CancellationToken.None);

            Assert.True(exit == 0, stderr.ToString());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"attach took {clock.Elapsed} after a 5 s target");
            Assert.StartsWith("statprof: target exited; ", stderr.ToString());
            Assert.True(target.WaitForExit(5000));
            AssertBusyAndBlocked(RecordReader.ReadFiles([path]), target.Id);
            AssertEndsWith(Targets.Lines(path), "ok");
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    [Fact]
    public void CtrlCStopsAttachCleanlyAndKeepsTheFileValid()
    {
        using Process target = Targets.StartBusyTarget(seconds: 60);
        try
        {
            string path = Path.Combine(_directory, "sigint.jsonl");
            var (exit, _, stderr) = Targets.Run(
                Targets.Dotnet,
                [Targets.StatprofDll, "attach", "-p", target.Id.ToString(CultureInfo.InvariantCulture), "-o", path],
                whileRunning: statprof =>
                {
                    // Once dumps flow, send the SIGINT a terminal's Ctrl-C sends.
                    var clock = Stopwatch.StartNew();
                    while ((!File.Exists(path) || Targets.Lines(path).Length < 300) && clock.Elapsed < TimeSpan.FromSeconds(60)) // 20+ samples of each thread
                    {
                        Thread.Sleep(100);
                    }

                    Assert.Equal(0, Signals.Interrupt(statprof.Id));
                });

            Assert.True(exit == 0, stderr);
            Assert.StartsWith("statprof: recording stopped; ", stderr);
            Assert.False(target.HasExited);
            AssertBusyAndBlocked(RecordReader.ReadFiles([path]), target.Id);
            AssertEndsWith(Targets.Lines(path), "cancelled");
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    private static int PidOf(string path)
    {
        using JsonDocument header = JsonDocument.Parse(File.ReadLines(path).First());
        return header.RootElement.GetProperty("process").GetProperty("pid").GetInt32();
    }

    /// <summary>The main thread (its OS id is the pid) is mostly in Busy.Spin; the "blocked" thread is waiting.</summary>
    private static void AssertBusyAndBlocked(RecordSet set, int pid)
    {
        Request main = Assert.Single(set.Requests, r => r.Id == "thread-" + pid.ToString(CultureInfo.InvariantCulture));
        Assert.True(main.Samples >= 20, $"main thread: {main.Samples} samples");
        // On the stack, not as leaf: where in the loop a sample lands (Busy.Spin itself or the
        // Stopwatch it polls) depends on the loop's JIT tier and on the machine's load.
        (double busy, string leaves) = Targets.TotalShare(set, main, "Busy.Spin");
        Assert.True(busy > 0.8, $"Busy.Spin is on {busy:P0} of the main thread's {main.Samples} samples; leaves: {leaves}");

        // The main thread is managed thread 1; others have no managed id out of process (0, unknown).
        Assert.Equal(1, Assert.Single(main.Threads).Managed);
        Assert.Equal(0, Assert.Single(Targets.Thread(set, "blocked").Threads).Managed);

        Request blocked = Targets.Thread(set, "blocked");
        Assert.True(blocked.Samples >= 20, $"blocked thread: {blocked.Samples} samples");
        Assert.True(blocked.States.Waiting >= 0.95 * blocked.Samples, $"blocked thread: {blocked.States}");
        Profile profile = Analyzer.Analyze(set, new AnalysisOptions { RequestId = blocked.Id });
        FrameStat wait = Assert.Single(profile.Frames, f => f.Name.StartsWith("Blocker.WaitForRelease", StringComparison.Ordinal));
        Assert.True(wait.Total >= 0.95 * profile.Samples, $"Blocker.WaitForRelease is on {wait.Total} of {profile.Samples} stacks");
    }

    /// <summary>
    /// The file's last line is <c>stats</c>, and the main and blocked threads end, with this outcome,
    /// in the <c>end</c> lines just before it.
    /// </summary>
    private static void AssertEndsWith(string[] lines, string outcome)
    {
        using JsonDocument last = JsonDocument.Parse(lines[^1]);
        Assert.Equal("stats", last.RootElement.GetProperty("type").GetString());
        var ends = new Dictionary<string, string>();
        foreach (string line in lines.Reverse().Skip(1).TakeWhile(l => l.StartsWith("{\"type\":\"end\"", StringComparison.Ordinal)))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            ends[json.RootElement.GetProperty("request").GetProperty("name").GetString()!] = json.RootElement.GetProperty("outcome").GetString()!;
        }

        Assert.Contains(ends, e => e.Key.EndsWith(" blocked", StringComparison.Ordinal) && e.Value == outcome);
        using JsonDocument header = JsonDocument.Parse(lines[0]);
        string main = "thread " + header.RootElement.GetProperty("process").GetProperty("pid").GetInt32().ToString(CultureInfo.InvariantCulture) + " ";
        Assert.Contains(ends, e => e.Key.StartsWith(main, StringComparison.Ordinal) && e.Value == outcome);
    }
}

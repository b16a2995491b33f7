using System.Diagnostics;
using System.Text.Json;
using StatProf.Cli.Commands;
using StatProf.Cli.Tests.Dump;
using StatProf.Cli.Tests.Record;

namespace StatProf.Cli.Tests.Lines;

/// <summary>
/// Source lines out of process, on tests/Targets/LinesTarget (built Release with its portable PDB):
/// <c>statprof attach</c> to the target once its loop runs tier-1/OSR code, and <c>statprof record</c>
/// from its first instruction, write the line of the known call inside the loop, <c>statprof report
/// --by-line</c> names it, and <c>statprof dump</c> prints it.
/// </summary>
/// <remarks>
/// A recording runs until its file holds the line (polled, with a long deadline for a loaded CI
/// machine), then stops: a test that never sees the line fails at the deadline.
/// </remarks>
[Collection(DumpRun.Collection)]
public sealed class SourceLinesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-lines-" + Guid.NewGuid().ToString("N"));

    public SourceLinesTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The 1-based line of the call inside PriceAll's loop, read from the source (marked "the call site").</summary>
    private static int CallSiteLine
    {
        get
        {
            string source = Path.Combine(Path.GetDirectoryName(TargetProcess.TargetPath("LinesTarget"))!, "..", "..", "..", "Pricing.cs");
            int line = Array.FindIndex(File.ReadAllLines(source), l => l.Contains("// the call site", StringComparison.Ordinal)) + 1;
            Assert.True(line > 0, "the call site is marked in Pricing.cs");
            return line;
        }
    }

    /// <summary>How long a recording may take to show the line on a loaded machine.</summary>
    private static readonly TimeSpan LineDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AttachToAWarmTargetWritesTheCallSiteLineAndReportByLineNamesIt()
    {
        string stopFile = Path.Combine(_directory, "stop");
        using Process target = StartWarm(stopFile);
        try
        {
            string path = Path.Combine(_directory, "attach.jsonl");
            using var stop = new CancellationTokenSource();
            using var stderr = new StringWriter();
            Task<int> attach = Task.Run(() => AttachCommand.Run(new AttachSettings { ProcessId = target.Id, Output = path, IntervalMs = 10 }, TextWriter.Null, stderr, stop.Token));

            bool seen = await PollForCallSite(path, attach);
            stop.Cancel();
            int exit = await attach.WaitAsync(TimeSpan.FromSeconds(60)); // attach stops within its 10 s stop timeout
            Assert.True(exit == 0, stderr.ToString());
            Assert.True(seen, $"no PriceAll frame calling PriceLine at line {CallSiteLine} within {LineDeadline.TotalSeconds:0} s: {Describe(path)}");
            AssertCallSite(path);
        }
        finally
        {
            File.WriteAllText(stopFile, string.Empty);
            Targets.Stop(target);
        }
    }

    [Fact]
    public async Task RecordWritesTheCallSiteLineAndReportByLineNamesIt()
    {
        string path = Path.Combine(_directory, "record.jsonl");
        string stopFile = Path.Combine(_directory, "stop");
        using var stderr = new StringWriter();
        Task<int> record = Task.Run(() => RecordCommand.Run(
            new RecordSettings { Command = [Targets.Dotnet, TargetProcess.TargetPath("LinesTarget"), "plain", "300", stopFile], Output = path, IntervalMs = 10 },
            TextWriter.Null,
            stderr,
            CancellationToken.None));

        bool seen;
        try
        {
            seen = await PollForCallSite(path, record);
        }
        finally
        {
            File.WriteAllText(stopFile, string.Empty); // the target ends its loop and exits: the recording ends with it
        }

        int exit = await record.WaitAsync(TimeSpan.FromSeconds(90)); // the target checks its stop file every 100 ms
        Assert.True(exit == 0, stderr.ToString());
        Assert.True(seen, $"no PriceAll frame calling PriceLine at line {CallSiteLine} within {LineDeadline.TotalSeconds:0} s: {Describe(path)}");
        AssertCallSite(path);
    }

    [Fact]
    public void DumpPrintsTheCallSiteLineOfTheKnownMethod()
    {
        using TargetProcess target = TargetProcess.Start("LinesTarget", "plain", "120");
        int callSite = CallSiteLine;

        // Nearly all the time is spent in PriceLine, called from the marked line; a dump that catches
        // the thread elsewhere in the loop is taken again (a few times at most).
        string? priceAll = null;
        for (int attempt = 0; attempt < 5 && priceAll is null; attempt++)
        {
            JsonElement dump = DumpRun.Json(target.Id);
            foreach (JsonElement thread in dump.GetProperty("threads").EnumerateArray())
            {
                List<string> frames = DumpRun.Frames(thread);
                JsonElement[] lines = [.. thread.GetProperty("lines").EnumerateArray()];
                Assert.Equal(frames.Count, lines.Length);
                int at = frames.IndexOf("Pricing.PriceAll");
                if (at > 0 && frames[at - 1] == "Pricing.PriceLine" && lines[at].ValueKind == JsonValueKind.Object)
                {
                    priceAll = $"{frames[at]} in {lines[at].GetProperty("file").GetString()}:line {lines[at].GetProperty("line").GetInt32()}";
                }
            }
        }

        Assert.NotNull(priceAll);
        Assert.EndsWith($"Pricing.cs:line {callSite}", priceAll, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts LinesTarget (a direct child: attach needs no ptrace) and waits for its "warm" line: its
    /// loop has run 2 s, so PriceAll runs tier-1 or OSR code, jitted before statprof attaches.
    /// </summary>
    private static Process StartWarm(string stopFile)
    {
        var start = new ProcessStartInfo(Targets.Dotnet) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])[TargetProcess.TargetPath("LinesTarget"), "plain", "300", stopFile])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        try
        {
            Task<string?> ready = process.StandardOutput.ReadLineAsync();
            Assert.True(ready.Wait(TimeSpan.FromSeconds(60)), "LinesTarget did not start within 60 s");
            Assert.StartsWith("ready ", ready.Result);
            Task<string?> warm = process.StandardOutput.ReadLineAsync();
            Assert.True(warm.Wait(TimeSpan.FromSeconds(60)), "LinesTarget's loop did not run 2 s within 60 s");
            Assert.Equal("warm", warm.Result);
            return process;
        }
        catch
        {
            Targets.Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the record file holds PriceAll at the call site, the deadline passes or the verb ends.</summary>
    private static async Task<bool> PollForCallSite(string path, Task<int> verb)
    {
        int callSite = CallSiteLine;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < LineDeadline && !verb.IsCompleted)
        {
            if (CallerFrames(path).Any(f => f.Line == callSite))
            {
                return true;
            }

            await Task.Delay(200);
        }

        return CallerFrames(path).Any(f => f.Line == callSite);
    }

    /// <summary>
    /// The record file's PriceAll frames that call PriceLine, one per stack line: the file holds the
    /// call site's line, every such frame with a line is at the call site (none at a neighbouring
    /// statement), and the report by line names the call site.
    /// </summary>
    private static void AssertCallSite(string path)
    {
        int callSite = CallSiteLine;
        List<(string? File, int Line)> callers = CallerFrames(path);
        Assert.Contains(callers, f => f.Line == callSite && f.File!.EndsWith("Pricing.cs", StringComparison.Ordinal));
        Assert.All(callers.Where(f => f.Line > 0), f => Assert.Equal(callSite, f.Line));

        JsonElement byLine = Report(path, byLine: true);
        List<string> frames = [.. byLine.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];
        Assert.Contains(frames, f => f.StartsWith("Pricing.PriceAll(int32) in ", StringComparison.Ordinal) && f.EndsWith($"Pricing.cs:line {callSite}", StringComparison.Ordinal));

        // By method (the default), the same frame is the method alone.
        JsonElement byMethod = Report(path, byLine: false);
        Assert.Contains(byMethod.GetProperty("frames").EnumerateArray(), f => f.GetProperty("name").GetString() == "Pricing.PriceAll(int32)");
        Assert.DoesNotContain(byMethod.GetProperty("frames").EnumerateArray(), f => f.GetProperty("name").GetString()!.Contains(":line ", StringComparison.Ordinal));
    }

    /// <summary>File and line (0: none) of each PriceAll frame whose callee is PriceLine, in the stack lines written so far.</summary>
    private static List<(string? File, int Line)> CallerFrames(string path)
    {
        var callers = new List<(string? File, int Line)>();
        foreach (JsonElement stack in StackLines(path))
        {
            JsonElement[] frames = [.. stack.GetProperty("frames").EnumerateArray()];
            for (int i = 0; i + 1 < frames.Length; i++)
            {
                if (frames[i].GetProperty("name").GetString() == "Pricing.PriceAll(int32)" && frames[i + 1].GetProperty("name").GetString() == "Pricing.PriceLine(int32)")
                {
                    callers.Add((
                        frames[i].TryGetProperty("file", out JsonElement file) ? file.GetString() : null,
                        frames[i].TryGetProperty("line", out JsonElement line) ? line.GetInt32() : 0));
                }
            }
        }

        return callers;
    }

    /// <summary>The complete stack lines of a record file that may still be written (a partial last line is skipped).</summary>
    private static List<JsonElement> StackLines(string path)
    {
        var stacks = new List<JsonElement>();
        if (!File.Exists(path))
        {
            return stacks;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (!line.Contains("\"type\":\"stack\"", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                stacks.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
            catch (JsonException)
            {
                // The line being written.
            }
        }

        return stacks;
    }

    /// <summary>What the file holds of PriceAll, for a failure message.</summary>
    private static string Describe(string path)
    {
        List<(string? File, int Line)> callers = CallerFrames(path);
        return $"{StackLines(path).Count} stack lines, {callers.Count} with PriceAll calling PriceLine, lines [{string.Join(", ", callers.Select(c => c.Line))}]";
    }

    private static JsonElement Report(string path, bool byLine)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = ReportCommand.Run(new ReportSettings { Files = [path], Format = "json", ByLine = byLine }, stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return JsonDocument.Parse(stdout.ToString()).RootElement.Clone();
    }
}

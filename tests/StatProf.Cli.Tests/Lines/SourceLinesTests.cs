using System.Text.Json;
using StatProf.Cli.Commands;
using StatProf.Cli.Tests.Dump;
using StatProf.Cli.Tests.Record;

namespace StatProf.Cli.Tests.Lines;

/// <summary>
/// Source lines out of process, on tests/Targets/LinesTarget (built Release with its portable PDB):
/// <c>statprof record</c> writes the line of the known call inside the loop, <c>statprof report
/// --by-line</c> names it, and <c>statprof dump</c> prints it.
/// </summary>
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

    [Fact]
    public void RecordWritesTheCallSiteLineAndReportByLineNamesIt()
    {
        string path = Path.Combine(_directory, "lines.jsonl");
        var (exit, _, stderr) = Targets.Run(Targets.Dotnet, [Targets.StatprofDll, "record", "-o", path, "--interval", "10", "--", Targets.Dotnet, TargetProcess.TargetPath("LinesTarget"), "plain", "12"]); // code jitted after the start gets its maps from the rundown repeated every 5 s: two of them, even under load
        Assert.True(exit == 0, stderr);

        int callSite = CallSiteLine;
        List<JsonElement> priceAll = File.ReadLines(path)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(r => r.GetProperty("type").GetString() == "stack")
            .SelectMany(s => s.GetProperty("frames").EnumerateArray())
            .Where(f => f.GetProperty("name").GetString() == "Pricing.PriceAll(int32)")
            .ToList();
        Assert.Contains(priceAll, f => f.TryGetProperty("line", out JsonElement l) && l.GetInt32() == callSite && f.GetProperty("file").GetString()!.EndsWith("Pricing.cs", StringComparison.Ordinal));

        JsonElement byLine = Report(path, byLine: true);
        List<string> frames = [.. byLine.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];
        Assert.Contains(frames, f => f.StartsWith("Pricing.PriceAll(int32) in ", StringComparison.Ordinal) && f.EndsWith($"Pricing.cs:line {callSite}", StringComparison.Ordinal));

        // By method (the default), the same frame is the method alone.
        JsonElement byMethod = Report(path, byLine: false);
        Assert.Contains(byMethod.GetProperty("frames").EnumerateArray(), f => f.GetProperty("name").GetString() == "Pricing.PriceAll(int32)");
        Assert.DoesNotContain(byMethod.GetProperty("frames").EnumerateArray(), f => f.GetProperty("name").GetString()!.Contains(":line ", StringComparison.Ordinal));
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

    private static JsonElement Report(string path, bool byLine)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = ReportCommand.Run(new ReportSettings { Files = [path], Format = "json", ByLine = byLine }, stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return JsonDocument.Parse(stdout.ToString()).RootElement.Clone();
    }
}

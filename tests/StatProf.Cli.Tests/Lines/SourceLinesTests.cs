using System.Text.Json;
using StatProf.Cli.Commands;
using StatProf.Cli.Tests.Dump;
using StatProf.Cli.Tests.Record;

namespace StatProf.Cli.Tests.Lines;

/// <summary>
/// Source lines out of process, on tests/Targets/LinesTarget (built Release with its portable PDB):
/// <c>statprof dump</c> prints the line of the known call inside the loop. (<c>record</c>/<c>attach</c>
/// lines are not reliable yet, see docs/source-lines.md; the in-process logger's record file and
/// <c>report --by-line</c> are tested in the Sampler and Analysis tests.)
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
}

using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StatProf.Analysis;

namespace StatProf.Benchmarks.Analysis;

/// <summary>
/// The interactive HTML report (<c>statprof report --format html</c>) of a profile already
/// analysed, written to a file: one million samples in 28 500 requests (<see cref="SyntheticSets"/>),
/// with 2 000 or 50 000 distinct frames. Targets: ≤ 1 s; the file ≤ 5 MB at 50 000 distinct frames.
/// </summary>
/// <remarks>The cleanup prints the file's size and what it embeds, for docs/benchmarks-reports.md.</remarks>
[MemoryDiagnoser]
public class HtmlReportBenchmarks
{
    /// <summary>Set to 1 to keep the reports written (to time them in a browser, docs/benchmarks-reports.md).</summary>
    public const string KeepVariable = "STATPROF_BENCHMARK_KEEP_REPORT";

    private Profile _profile = null!;
    private string _path = null!;

    /// <summary>Distinct frames of the set.</summary>
    [Params(2_000, 50_000)]
    public int DistinctFrames { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RecordSet set = SyntheticSets.Build(samples: 1_000_000, DistinctFrames, distinctStacks: Math.Max(20_000, DistinctFrames));
        _profile = Analyzer.Analyze(set);
        _path = Path.Combine(Path.GetTempPath(), $"statprof-html-benchmark-{Environment.ProcessId}-{DistinctFrames}.html");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// set: {set.Samples:N0} samples, {set.Requests.Count:N0} requests, {set.DistinctStacks:N0} distinct stacks, {set.DistinctFrames:N0} distinct frames"));
    }

    [GlobalCleanup]
    public void Report()
    {
        var info = new FileInfo(_path);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// report: {info.Length / 1e6:F2} MB ({info.Length:N0} bytes) for {DistinctFrames:N0} distinct frames"));

        // Where the bytes go: the data document's sections.
        string page = File.ReadAllText(_path);
        const string open = "id=\"statprof-data\">";
        int start = page.IndexOf(open, StringComparison.Ordinal) + open.Length;
        using (var data = JsonDocument.Parse(page[start..page.IndexOf("</script>", start, StringComparison.Ordinal)]))
        {
            JsonElement root = data.RootElement;
            JsonElement[] graphs = [.. root.GetProperty("graphs").EnumerateArray()];
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"// aggregate graph {graphs[0].GetRawText().Length / 1e6:F2} MB ({graphs[0].GetProperty("n").GetArrayLength() / 6:N0} nodes, {graphs[0].GetProperty("hidden").GetInt32():N0} hidden); " +
                $"{graphs.Length - 1} request graphs {graphs.Skip(1).Sum(g => g.GetRawText().Length) / 1e6:F2} MB; " +
                $"names {root.GetProperty("names").GetRawText().Length / 1e6:F2} MB ({root.GetProperty("names").GetArrayLength():N0}); " +
                $"stats {root.GetProperty("stats").GetRawText().Length / 1e6:F2} MB; requests table {root.GetProperty("requests").GetRawText().Length / 1e6:F2} MB ({root.GetProperty("requests").GetArrayLength():N0} rows)"));
        }

        if (Environment.GetEnvironmentVariable(KeepVariable) == "1")
        {
            Console.WriteLine($"// kept {_path} ({KeepVariable}=1), to open in a browser");
        }
        else
        {
            info.Delete();
        }
    }

    /// <summary>Writes the report to a file with the default options.</summary>
    [Benchmark]
    public long WriteHtmlToFile()
    {
        using (FileStream file = File.Create(_path))
        {
            ReportWriter.WriteHtml(_profile, file);
        }

        return new FileInfo(_path).Length;
    }
}

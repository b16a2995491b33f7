using BenchmarkDotNet.Attributes;
using StatProf.Analysis;

namespace StatProf.Benchmarks.Analysis;

/// <summary>
/// The export formats (<c>statprof report --format folded|speedscope|pprof</c>) of a profile already
/// analysed, written to a stream that discards the bytes (the cost is rendering, not the disk):
/// one million samples in 28 500 requests with 2 000 distinct frames (<see cref="SyntheticSets"/>),
/// the HTML suite's set. No target in the issues; measured so that a regression shows.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class ExportFormatBenchmarks
{
    private Profile _profile = null!;

    [GlobalSetup]
    public void Setup() => _profile = Analyzer.Analyze(SyntheticSets.Build(samples: 1_000_000, distinctFrames: 2_000, distinctStacks: 20_000));

    /// <summary>Folded stacks (Brendan Gregg's text format), one line per distinct stack.</summary>
    [Benchmark]
    public void Folded()
    {
        using var output = new StreamWriter(Stream.Null);
        ExportWriter.WriteFolded(_profile, output);
    }

    /// <summary>speedscope's JSON file format.</summary>
    [Benchmark]
    public void Speedscope() => ExportWriter.WriteSpeedscope(_profile, Stream.Null);

    /// <summary>pprof's gzipped protobuf.</summary>
    [Benchmark]
    public void Pprof() => ExportWriter.WritePprof(_profile, Stream.Null);
}

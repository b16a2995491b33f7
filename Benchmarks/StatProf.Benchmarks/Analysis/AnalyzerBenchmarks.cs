using BenchmarkDotNet.Attributes;
using StatProf.Analysis;

namespace StatProf.Benchmarks.Analysis;

/// <summary>
/// <see cref="Analyzer.Analyze"/> of a set already read (its stacks interned): per-frame counts with
/// intervals, the hot/cold boundary of every pair of consecutive dumps, the spots and every
/// request's summary. Target: ≥ 5 million samples/s. Each invocation analyses the whole set and
/// counts as one operation per sample, so the Mean column is the time per sample and Op/s is
/// samples per second.
/// </summary>
/// <remarks>
/// <see cref="Analyze2kRequests"/> and <see cref="Analyze2kRequestsNoIgnoreSet"/>: the set of about
/// 2 000 requests (70 000 samples), with the default ignore set (what <c>statprof report</c> does)
/// and with none (no stack projection). <see cref="Analyze1MSamples"/>: the one-million-sample set
/// (28 500 requests), whose setup reads 5.1 GB first.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class AnalyzerBenchmarks
{
    private static readonly AnalysisOptions NoIgnoreSet = new() { Ignore = IgnoreSet.None };

    private RecordSet _set = null!;

    [GlobalSetup(Targets = [nameof(Analyze2kRequests), nameof(Analyze2kRequestsNoIgnoreSet)])]
    public void SetupSmall() => _set = AnalysisWorkload.ReadChecked(AnalysisWorkload.File(AnalysisWorkload.SmallSamples));

    [GlobalSetup(Target = nameof(Analyze1MSamples))]
    public void SetupLarge() => _set = AnalysisWorkload.ReadChecked(AnalysisWorkload.File(AnalysisWorkload.LargeSamples));

    /// <summary>The default analysis of the 2 000-request set.</summary>
    [Benchmark(OperationsPerInvoke = AnalysisWorkload.SmallSamples)]
    public Profile Analyze2kRequests() => Analyzer.Analyze(_set);

    /// <summary>The same without an ignore set.</summary>
    [Benchmark(OperationsPerInvoke = AnalysisWorkload.SmallSamples)]
    public Profile Analyze2kRequestsNoIgnoreSet() => Analyzer.Analyze(_set, NoIgnoreSet);

    /// <summary>The default analysis of the one-million-sample set.</summary>
    [Benchmark(OperationsPerInvoke = AnalysisWorkload.LargeSamples)]
    public Profile Analyze1MSamples() => Analyzer.Analyze(_set);
}

using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Engines;
using StatProf.Analysis;

namespace StatProf.Benchmarks.Analysis;

/// <summary>
/// A one-million-sample record file (28 500 requests; see <see cref="RecordFileGenerator"/>) read
/// and analysed, as <c>statprof report</c> does, in record format 2 (each stack once: 0.37 GB) and,
/// side by side, format 1 (every dump with its stack: 5.1 GB). Target: ≤ 3 s and ≤ 500 MB peak memory.
/// </summary>
/// <remarks>
/// Each iteration is one read and analysis, so the job is a monitoring one with few iterations. The
/// cleanup prints the process's peak working set, an upper bound for one run: it spans the setup
/// (which may generate the file) and every iteration. A single run's peak is measured in its own
/// process (docs/benchmarks-analysis.md).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(CliRuntimeConfig))]
public class AnalysisEndToEndBenchmarks
{
    /// <summary>
    /// The runtime settings the <c>statprof</c> tool ships with (Cli/StatProf.Cli.csproj): blocking GC,
    /// loops optimized at once. Monitoring: one read and analysis per iteration.
    /// </summary>
    private sealed class CliRuntimeConfig : ManualConfig
    {
        public CliRuntimeConfig() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithGcConcurrent(false)
            .WithEnvironmentVariable("DOTNET_TC_QuickJitForLoops", "0"));
    }

    private RecordFile _file = null!;
    private long _samples;

    /// <summary>The record format version of the file.</summary>
    [Params(2, 1)]
    public int Format { get; set; }

    [GlobalSetup]
    public void Setup() => _file = AnalysisWorkload.File(AnalysisWorkload.LargeSamples, Format);

    [GlobalCleanup]
    public void Report()
    {
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// peak working set {process.PeakWorkingSet64 / 1e6:F0} MB; GC heap now {GC.GetTotalMemory(forceFullCollection: false) / 1e6:F0} MB; samples analysed per run {_samples:N0}"));
    }

    /// <summary>Reads the file and analyses it with the default options.</summary>
    [Benchmark]
    public Profile ReadAndAnalyze()
    {
        RecordSet set = RecordReader.ReadFiles([_file.Path]);
        AnalysisWorkload.Check(set, _file);
        Profile profile = Analyzer.Analyze(set);
        _samples = profile.Samples;
        return profile;
    }
}

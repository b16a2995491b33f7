using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using StatProf.Analysis;

namespace StatProf.Benchmarks.Analysis;

/// <summary>
/// <see cref="RecordReader.ReadFiles"/> over a realistic record file of about 2 000 slow requests
/// (70 000 samples, about 360 MB; see <see cref="RecordFileGenerator"/>). Target: ≥ 100 MB/s, that
/// is a mean of at most 3.6 s for this file; MB/s is the file's size divided by the mean.
/// </summary>
/// <remarks>
/// The file is in the page cache (the setup has just read it): the figure is the reader's CPU cost,
/// not the disk's. Each iteration is one read (about a second), so the job is a monitoring one:
/// no pilot and no overhead subtraction, which are meaningless at that length.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class RecordReaderBenchmarks
{
    private RecordFile _file = null!;

    /// <summary>The record format version of the file.</summary>
    [Params(2, 1)]
    public int Format { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _file = AnalysisWorkload.File(AnalysisWorkload.SmallSamples, Format);
        AnalysisWorkload.ReadChecked(_file);
    }

    /// <summary>Reads the whole file into a set.</summary>
    [Benchmark]
    public RecordSet ReadFile() => RecordReader.ReadFiles([_file.Path]);
}

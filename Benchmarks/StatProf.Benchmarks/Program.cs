using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using StatProf.Benchmarks.Sampler.Internal;

// Every suite of the assembly; pick with --filter, e.g. `-- --filter '*SampleRing*'`.
// This machine class is noisy (2 shared cores): the median and the range go next to the mean, and
// the generated project gets more than the default 2 minutes to build when the cores are busy.
IConfig config = DefaultConfig.Instance
    .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
    .WithBuildTimeout(TimeSpan.FromMinutes(10));

// The benchmark processes of this run share one self-recorded trace, kept in a folder of the run.
string traceFolder = Path.Combine(Path.GetTempPath(), $"statprof-benchmarks-run-{Environment.ProcessId}");
Environment.SetEnvironmentVariable(SelfTrace.DirectoryVariable, traceFolder);
try
{
    BenchmarkSwitcher.FromAssembly(typeof(SelfTrace).Assembly).Run(args, config);
}
finally
{
    if (Directory.Exists(traceFolder))
    {
        Directory.Delete(traceFolder, recursive: true);
    }
}

using System.Globalization;
using StatProf.Analysis;

namespace StatProf.Benchmarks.Analysis;

/// <summary>The record files the analysis suites read, and checks that they read them whole.</summary>
internal static class AnalysisWorkload
{
    /// <summary>About 2 000 requests of 10–60 dumps: the reading and aggregation suites' file (about 360 MB).</summary>
    public const int SmallSamples = 70_000;

    /// <summary>The end-to-end target's file: one million samples (0.37 GB in format 2, 5.1 GB in format 1).</summary>
    public const int LargeSamples = 1_000_000;

    /// <summary>The file in record format <paramref name="format"/>, generated if missing, announced in the benchmark's log.</summary>
    public static RecordFile File(int samples, int format = 2)
    {
        RecordFile file = RecordFileGenerator.GetOrCreate(samples, format);
        Console.WriteLine($"// record file {file}");
        return file;
    }

    /// <summary>Reads a file into a set and fails the run unless every sample was read and no line skipped.</summary>
    public static RecordSet ReadChecked(RecordFile file)
    {
        RecordSet set = RecordReader.ReadFiles([file.Path]);
        Check(set, file);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// read {set.Samples:N0} samples, {set.Requests.Count:N0} requests, {set.DistinctStacks} distinct stacks, {set.DistinctFrames} distinct frames"));
        return set;
    }

    /// <summary>Throws unless the set holds exactly the file's samples and requests and nothing was skipped.</summary>
    public static void Check(RecordSet set, RecordFile file)
    {
        if (set.Samples != file.Samples || set.Requests.Count != file.Requests || set.Skipped.Total != 0 || set.Warnings.Count != 0)
        {
            throw new InvalidOperationException(
                $"The reader did not read the generated file whole: {set.Samples} of {file.Samples} samples, {set.Requests.Count} of {file.Requests} requests, {set.Skipped.Total} lines skipped, warnings: {string.Join("; ", set.Warnings)}");
        }
    }
}

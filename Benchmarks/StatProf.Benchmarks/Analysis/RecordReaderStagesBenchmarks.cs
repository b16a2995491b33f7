using System.Text.Json;
using System.Text.Unicode;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using StatProf.Analysis;
using StatProf.Analysis.Internal.Reading;

namespace StatProf.Benchmarks.Analysis;

/// <summary>
/// Where <see cref="RecordReader"/>'s time goes, stage by stage, over the file of
/// <see cref="RecordReaderBenchmarks"/> (about 2 000 requests, 360 MB). Each method does one more
/// stage of the reader's work than the one before; the Ratio column is its share of the full read
/// (<see cref="FullRead"/>, the baseline).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="ReadBytes"/>: the file's bytes into a buffer, 64 KiB at a time.</item>
/// <item><see cref="SplitLines"/>: and split into lines (the reader's <c>LineSplitter</c>).</item>
/// <item><see cref="SplitAndValidateUtf8"/>: and each line checked to be UTF-8.</item>
/// <item><see cref="Tokenize"/>: and every JSON token of each line read by a bare
/// <see cref="Utf8JsonReader"/>: the floor of any parser built on it.</item>
/// <item><see cref="TokenizeWithoutTraceback"/>: the same, but each <c>dump</c> line's
/// <c>traceback</c> (its last field, about 40 % of the file's bytes) left out of the tokenizing:
/// what skipping that redundant string without the JSON reader would leave.</item>
/// <item><see cref="Parse"/>: the reader's own line parser (<c>RecordLineParser</c>), no interning.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RecordReaderStagesBenchmarks
{
    private const int Chunk = 64 * 1024;
    private const int MaxLineBytes = 1024 * 1024;

    private static readonly byte[] TracebackField = ",\"traceback\":"u8.ToArray();

    private readonly byte[] _buffer = new byte[Chunk];
    private RecordFile _file = null!;

    [GlobalSetup]
    public void Setup()
    {
        _file = AnalysisWorkload.File(AnalysisWorkload.SmallSamples);
        AnalysisWorkload.ReadChecked(_file);
    }

    /// <summary>The whole reader, as in <see cref="RecordReaderBenchmarks.ReadFile"/>.</summary>
    [Benchmark(Baseline = true)]
    public long FullRead() => RecordReader.ReadFiles([_file.Path]).Samples;

    [Benchmark]
    public long ReadBytes()
    {
        using FileStream file = Open();
        long total = 0;
        int read;
        while ((read = file.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark]
    public long SplitLines() => EachLine(static line => line.Length);

    [Benchmark]
    public long SplitAndValidateUtf8() => EachLine(static line => Utf8.IsValid(line) ? 1 : 0);

    [Benchmark]
    public long Tokenize() => EachLine(static line => Utf8.IsValid(line) ? CountTokens(line, isFinalBlock: true) : 0);

    [Benchmark]
    public long TokenizeWithoutTraceback() => EachLine(static line =>
    {
        if (!Utf8.IsValid(line))
        {
            return 0;
        }

        int traceback = line.LastIndexOf(TracebackField);
        return traceback < 0 ? CountTokens(line, isFinalBlock: true) : CountTokens(line[..traceback], isFinalBlock: false);
    });

    [Benchmark]
    public long Parse()
    {
        var parser = new RecordLineParser(64);
        return EachLine(line => Utf8.IsValid(line) && parser.Parse(line) == SkipReason.None ? parser.FrameCount : 0);
    }

    private static long CountTokens(ReadOnlySpan<byte> json, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock, default);
        long tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    private FileStream Open() => new(_file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    private long EachLine(LineFunc each)
    {
        using FileStream file = Open();
        using var lines = new LineSplitter(file, MaxLineBytes);
        long sum = 0;
        while (lines.TryReadLine(out ReadOnlySpan<byte> line, out LineKind kind))
        {
            if (kind == LineKind.Complete)
            {
                sum += each(line);
            }
        }

        return sum;
    }

    private delegate long LineFunc(ReadOnlySpan<byte> line);
}

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
/// <item><see cref="KnownTailPrototype"/>: not the reader's code but the change proposed in
/// <c>docs/benchmarks-analysis.md</c>, to compare with <see cref="Parse"/>. A dump line's tail, from
/// <c>,"frames":[</c> to its end (the frames and the traceback: about 95 % of its bytes), is the
/// same bytes for every dump of the same stack. When a tail was seen before, it is hashed and
/// compared instead of being checked and tokenized, and only the short prefix (the request, times,
/// thread, state) is parsed.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10)]
public class RecordReaderStagesBenchmarks
{
    private const int Chunk = 64 * 1024;
    private const int MaxLineBytes = 1024 * 1024;

    private static readonly byte[] TracebackField = ",\"traceback\":"u8.ToArray();
    private static readonly byte[] FramesField = ",\"frames\":["u8.ToArray();

    private readonly byte[] _buffer = new byte[Chunk];
    private RecordFile _file = null!;

    [GlobalSetup]
    public void Setup()
    {
        _file = AnalysisWorkload.File(AnalysisWorkload.SmallSamples, format: 1); // the stages of reading format 1 dumps
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

    [Benchmark]
    public long KnownTailPrototype()
    {
        var parser = new RecordLineParser(64);
        var tails = new Dictionary<int, List<byte[]>>();
        byte[] prefix = new byte[MaxLineBytes + 1];
        return EachLine(line =>
        {
            int at = line.IndexOf(FramesField);
            if (at < 0)
            {
                return Utf8.IsValid(line) && parser.Parse(line) == SkipReason.None ? 1 : 0;
            }

            ReadOnlySpan<byte> tail = line[at..];
            var hasher = default(HashCode);
            hasher.AddBytes(tail);
            int hash = hasher.ToHashCode();
            if (tails.TryGetValue(hash, out List<byte[]>? known))
            {
                foreach (byte[] seen in known)
                {
                    if (seen.AsSpan().SequenceEqual(tail))
                    {
                        // A tail seen (and validated) before: parse the prefix closed with '}'.
                        // The stack id would come with the cached tail.
                        if (!Utf8.IsValid(line[..at]))
                        {
                            return 0;
                        }

                        line[..at].CopyTo(prefix);
                        prefix[at] = (byte)'}';
                        return parser.Parse(prefix.AsSpan(0, at + 1)) == SkipReason.None ? parser.FrameCount + 1 : 0;
                    }
                }
            }

            if (!Utf8.IsValid(line) || parser.Parse(line) != SkipReason.None)
            {
                return 0;
            }

            (known ??= tails[hash] = []).Add(tail.ToArray());
            return parser.FrameCount;
        });
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

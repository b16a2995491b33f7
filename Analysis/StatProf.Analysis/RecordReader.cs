using System.IO.Compression;
using System.Text.Unicode;
using StatProf.Analysis.Internal.Importing;
using StatProf.Analysis.Internal.Reading;

namespace StatProf.Analysis;

/// <summary>
/// Reads record files (JSON lines, see <c>docs/record-format.md</c>) into one <see cref="RecordSet"/>.
/// Streaming: memory is bounded by distinct stacks and requests plus one line buffer, never by file
/// size. Bad content never throws and never stops the read: a malformed, truncated, oversized,
/// non-UTF-8, wrongly typed or unknown line is skipped and counted in <see cref="SkippedLines"/>.
/// Files ending in <c>.gz</c> are decompressed. A file whose content is folded stacks
/// (<c>root;…;leaf count</c> lines) rather than JSON records is imported as such, whatever its
/// name (see <see cref="ReadFolded"/>). Not thread-safe: one reader, one thread.
/// </summary>
/// <example>
/// <code>
/// var reader = new RecordReader();
/// reader.ReadFile("statprof-1.jsonl");
/// reader.ReadFile("statprof-2.jsonl");
/// RecordSet set = reader.Complete();
/// </code>
/// </example>
public sealed class RecordReader
{
    private readonly RecordReaderOptions _options;
    private readonly RecordLineParser _parser;
    private readonly RecordSetBuilder _builder;
    private readonly List<RecordSource> _sources = [];
    private long _importedSamples;
    private long _bytesDone;
    private RecordSet? _completed;

    /// <summary>Creates a reader.</summary>
    /// <param name="options">Limits; <c>null</c> for the defaults. Validated and copied now.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RecordReader(RecordReaderOptions? options = null)
    {
        _options = (options ?? new RecordReaderOptions()).Validated();
        _parser = new RecordLineParser(_options.MaxJsonDepth);
        _builder = new RecordSetBuilder(_options.MaxWarnings, _options.ByLine);
    }

    /// <summary>Reads every file, in order, into one set.</summary>
    /// <param name="paths">The files.</param>
    /// <param name="options">Limits; <c>null</c> for the defaults.</param>
    /// <returns>The set.</returns>
    /// <exception cref="IOException">A file cannot be opened (not found, not readable).</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    public static RecordSet ReadFiles(IEnumerable<string> paths, RecordReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var reader = new RecordReader(options);
        foreach (string path in paths)
        {
            reader.ReadFile(path);
        }

        return reader.Complete();
    }

    /// <summary>
    /// Reads one file (decompressed when its name ends in <c>.gz</c>) into the set: JSON records, or
    /// folded stacks when its first non-blank line is not JSON but a <c>stack count</c> line.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="IOException">The file cannot be opened (not found, not readable).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public void ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool folded = IsFolded(path, out bool netTrace);
        if (netTrace)
        {
            _builder.Warn($"{path}: a .nettrace capture, not a record file: read it with StatProf.Analysis.NetTrace's NetTraceReader (statprof report does).");
        }

        using var file = OpenFile(path);
        using Stream counted = _options.Progress is { } progress ? new ProgressStream(file, progress, _bytesDone) : file;
        using Stream content = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(counted, CompressionMode.Decompress) : counted;
        if (folded)
        {
            ReadFolded(content, path);
        }
        else
        {
            Read(content, path);
        }

        _bytesDone += file.Length;
        _options.Progress?.Report(_bytesDone);
    }

    /// <summary>
    /// Reads folded stacks (<c>root;caller;leaf count</c> lines, the input of flamegraph.pl and
    /// inferno) into the set as one request named after the source. They carry no time order: their
    /// samples get frame counts but no optimization spot, and <see cref="RecordSet.Warnings"/> says
    /// so; they are counted as running. Bad lines are skipped and counted in <see cref="SkippedLines"/>.
    /// </summary>
    /// <param name="stream">The stream, read to its end; not closed.</param>
    /// <param name="sourceName">The name reports give the source (a path); the request is named after its file name.</param>
    /// <exception cref="InvalidOperationException"><see cref="Complete"/> was called.</exception>
    public void ReadFolded(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        ImportSink sink = BeginImport(sourceName);
        FoldedStacksReader.Read(stream, sink, _options.MaxLineBytes);
        EndImport(sink);
    }

    /// <summary>Starts importing a foreign source (folded stacks, a .nettrace capture) into the set.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Complete"/> was called.</exception>
    internal ImportSink BeginImport(string sourceName)
    {
        if (_completed is not null)
        {
            throw new InvalidOperationException("The reader was completed; create a new one to read more.");
        }

        return new ImportSink(_builder, sourceName);
    }

    /// <summary>Ends an import: its source and samples join the set.</summary>
    internal void EndImport(ImportSink sink)
    {
        _importedSamples += sink.Samples;
        _sources.Add(sink.ToSource());
    }

    /// <summary>
    /// Reads a stream of records into the set. A stream that fails mid-way (an I/O error, corrupt
    /// compressed data) ends that source with a warning in <see cref="RecordSet.Warnings"/>.
    /// </summary>
    /// <param name="stream">The stream, read to its end; not closed.</param>
    /// <param name="sourceName">The name reports give the source (a path).</param>
    /// <exception cref="InvalidOperationException"><see cref="Complete"/> was called.</exception>
    public void Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (_completed is not null)
        {
            throw new InvalidOperationException("The reader was completed; create a new one to read more.");
        }

        var source = new SourceState(sourceName);
        using var lines = new LineSplitter(stream, _options.MaxLineBytes);
        try
        {
            while (lines.TryReadLine(out ReadOnlySpan<byte> line, out LineKind kind))
            {
                source.Lines++;
                SkipReason skip = ReadLine(line, kind, source);
                if (skip == SkipReason.None)
                {
                    source.Records++;
                }
                else if (skip != SkipReason.Count)
                {
                    source.Skipped[(int)skip]++;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            _builder.Warn($"{sourceName}: reading stopped after {lines.BytesRead} bytes: {ex.Message}");
        }

        _sources.Add(new RecordSource(sourceName, lines.BytesRead, source.Lines, source.Records, SkippedLines.From(source.Skipped), source.HasHeader));
    }

    /// <summary>Ends reading and returns the set (the same one on later calls). The reader reads no more afterwards.</summary>
    /// <returns>The set of everything read.</returns>
    public RecordSet Complete()
    {
        if (_completed is not null)
        {
            return _completed;
        }

        _builder.Seal();
        if (_builder.WarningsNotKept > 0)
        {
            _builder.Warnings.Add($"{_builder.WarningsNotKept} more warnings not shown.");
        }

        var processes = _builder.Processes.Values.OrderBy(p => p.Pid).ToArray();
        _completed = new RecordSet(_builder.Frames, _builder.Stacks, _builder.Requests, _sources.ToArray(), processes, _builder.Samples + _importedSamples, _builder.LoggerDroppedRecords, _builder.TruncatedStacks, _builder.Warnings.ToArray());
        return _completed;
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);

    /// <summary>Whether a file holds folded stacks, judged by its first 64 KiB (decompressed); also whether it is a .nettrace capture.</summary>
    private static bool IsFolded(string path, out bool netTrace)
    {
        netTrace = false;
        using FileStream file = OpenFile(path);
        byte[] head = new byte[64 * 1024];
        int length = 0;
        bool whole = false;
        try
        {
            using Stream content = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            while (length < head.Length)
            {
                int read = content.Read(head, length, head.Length - length);
                if (read == 0)
                {
                    whole = true;
                    break;
                }

                length += read;
            }
        }
        catch (InvalidDataException)
        {
            return false; // corrupt compressed data: the record reader warns about it
        }

        netTrace = head.AsSpan(0, length).StartsWith("Nettrace"u8);
        return !netTrace && FoldedStacksReader.LooksFolded(head.AsSpan(0, length), whole);
    }

    /// <summary>Reads one line; <see cref="SkipReason.Count"/> means a blank line (neither a record nor skipped).</summary>
    private SkipReason ReadLine(ReadOnlySpan<byte> line, LineKind kind, SourceState source)
    {
        if (kind == LineKind.Oversized)
        {
            return SkipReason.Oversized;
        }

        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return SkipReason.Count;
        }

        if (kind == LineKind.LastWithoutNewline)
        {
            // docs/record-format.md, crash semantics: a record is only complete with its '\n'; a
            // last line without one is what a crash left mid-write, even when it happens to parse.
            return SkipReason.Truncated;
        }

        if (!Utf8.IsValid(line))
        {
            return SkipReason.InvalidUtf8;
        }

        SkipReason parsed = _parser.Parse(line, source.RequestObjects);
        return parsed == SkipReason.None ? _builder.Apply(_parser, line, source) : parsed;
    }
}

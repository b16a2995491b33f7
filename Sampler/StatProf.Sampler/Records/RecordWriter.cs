using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace StatProf.Sampler.Records;

/// <summary>
/// Writes records to rotating record files (<c>docs/record-format.md</c>) on its own thread.
/// <see cref="TryWrite"/> never blocks and never throws: a record goes into a bounded queue or is
/// dropped and counted.
/// </summary>
/// <remarks>
/// <para>
/// <b>Durability.</b> Every record is written to the file in one write call and the stream is
/// flushed to the operating system before the next one (<see cref="FileStream.Flush(bool)"/> with
/// <c>flushToDisk: false</c>). A crash of the process therefore loses at most the record being
/// written, which may be left as a truncated last line: readers must skip a last line that does not
/// end with <c>'\n'</c>. What the OS holds survives the process, not a power cut: no fsync, whose
/// cost would fall on every record.
/// </para>
/// <para>
/// <b>Files.</b> Named <c>{prefix}-{yyyyMMdd-HHmmss-fff}-{pid}.jsonl</c> (UTC), always created new
/// (<see cref="FileMode.CreateNew"/>: an existing path, a planted symbolic link included, is never
/// followed, appended to or overwritten), owner read/write only (0600) on Unix, in a directory
/// created owner-only (0700) when missing. Each file starts with a header made by the header
/// factory, whose <c>continuation</c> is true for every file after the first one this writer
/// opened. On Windows files get the directory's inherited ACL.
/// </para>
/// <para>
/// <b>Rotation and retention.</b> See <see cref="RecordFileSettings.MaxFileBytes"/> and
/// <see cref="RecordFileSettings.MaxTotalBytes"/>. Retention deletes only regular files whose name
/// matches this prefix's pattern; symbolic links and other names are never deleted nor counted.
/// </para>
/// <para>
/// <b>Failures.</b> An IO failure (disk full, permissions, a name that exists) drops the record,
/// counts it in <see cref="Dropped"/> and is reported to the error callback once per kind of
/// failure; IO kinds are reported again only after a record was written since. After a failed write
/// the file is closed (a torn line stays its last line, as after a crash) and the next record opens
/// a new file. The error callback runs on the writer's thread; its exceptions are swallowed.
/// </para>
/// </remarks>
internal sealed class RecordWriter : IDisposable
{
    private readonly RecordFileSettings _settings;
    private readonly Func<bool, HeaderRecord> _headerFactory;
    private readonly Action<Exception>? _onError;
    private readonly TimeProvider _time;
    private readonly Channel<Record> _queue;
    private readonly Thread _thread;
    private readonly Regex _namePattern;
    private readonly int _processId = Environment.ProcessId;

    // Writer thread only.
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly ArrayBufferWriter<byte> _stackLine = new(4096);
    private readonly ArrayBufferWriter<byte> _both = new(4096);
    private readonly ArrayBufferWriter<byte> _headerLine = new(512);
    private readonly StackIds _stackIds = new();
    private readonly HashSet<long> _stacksInFile = [];
    private Utf8JsonWriter? _json;
    private FileStream? _stream;
    private long _fileBytes;
    private long _recordsInFile;
    private DateTime _lastNameTime;
    private Failure _reported;

    private string? _currentPath;
    private long _written;
    private long _dropped;
    private long _files;
    private int _disposed;
    private volatile bool _abandoned;

    /// <summary>Starts a writer and its thread; no file is opened before the first record.</summary>
    /// <param name="settings">Where and how to write; validated here.</param>
    /// <param name="headerFactory">
    /// Makes the header of each new file; its argument is the header's <c>continuation</c>. Called on
    /// the writer's thread.
    /// </param>
    /// <param name="onError">Told of failures, once per kind (see remarks); on the writer's thread.</param>
    /// <param name="timeProvider">The clock of the file names. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public RecordWriter(
        RecordFileSettings settings,
        Func<bool, HeaderRecord> headerFactory,
        Action<Exception>? onError = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(headerFactory);
        settings.Validate();
        _settings = settings;
        _headerFactory = headerFactory;
        _onError = onError;
        _time = timeProvider ?? TimeProvider.System;
        _namePattern = new Regex(
            "^" + Regex.Escape(settings.FilePrefix) + @"-(\d{8}-\d{6}-\d{3})-\d+\.jsonl$",
            RegexOptions.CultureInvariant);
        _queue = Channel.CreateBounded<Record>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            // Wait mode with TryWrite: a full queue makes TryWrite return false (counted as a
            // drop) instead of silently evicting a queued record.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _thread = new Thread(Run)
        {
            IsBackground = true, // a stuck disk must not keep the host process alive
            Name = "StatProf record writer",
        };
        _thread.Start();
    }

    /// <summary>
    /// The file being written, or the last one written when none is open (after a failed write or
    /// <see cref="Dispose"/>); null before the first file was opened.
    /// </summary>
    public string? CurrentPath => Volatile.Read(ref _currentPath);

    /// <summary>Records written to files (headers not counted).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>
    /// Records dropped: the queue was full, the writer was disposed, or the record could not be
    /// written (IO failure, no file could be opened, larger than a file).
    /// </summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Files opened so far.</summary>
    public long Files => Interlocked.Read(ref _files);

    /// <summary>
    /// Queues a record for writing. Never blocks (beyond the queue's short internal lock) and never
    /// throws.
    /// </summary>
    /// <returns>False when the record was dropped (queue full, or disposed) and counted.</returns>
    public bool TryWrite(Record record)
    {
        if (record is not null && Volatile.Read(ref _disposed) == 0 && _queue.Writer.TryWrite(record))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>
    /// Stops taking records, waits up to <see cref="RecordFileSettings.DisposeTimeout"/> for the queued
    /// ones to be written, and closes the file. Never throws. When the wait times out, what is still
    /// queued is dropped and counted and the writer's thread closes the file as soon as its current
    /// write returns.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _queue.Writer.TryComplete();
            if (Thread.CurrentThread == _thread)
            {
                // Disposed from the error callback: the loop ends by itself once the queue is empty.
                return;
            }

            if (!_thread.Join(_settings.DisposeTimeout))
            {
                _abandoned = true;
            }
        }
        catch (Exception)
        {
            // Dispose never throws into the host (STYLE.md §7); nothing here can fail in practice.
        }
    }

    private void Run()
    {
        ChannelReader<Record> reader = _queue.Reader;
        try
        {
            _json = new Utf8JsonWriter(_line, RecordJson.WriterOptions);
            while (true)
            {
                while (reader.TryRead(out Record? record))
                {
                    if (_abandoned)
                    {
                        Interlocked.Increment(ref _dropped);
                        continue;
                    }

                    WriteOne(record);
                }

                ValueTask<bool> wait = reader.WaitToReadAsync();
                bool more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                if (!more)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            // Not expected (WriteOne catches its own failures); the records left are dropped.
            Report(Failure.Internal, e);
            _abandoned = true;
            _queue.Writer.TryComplete();
            while (reader.TryRead(out _))
            {
                Interlocked.Increment(ref _dropped);
            }
        }
        finally
        {
            CloseFile();
            _json?.Dispose();
        }
    }

    private void WriteOne(Record record)
    {
        // A dump refers to its stack by id; the stack line goes in each file once, just before the
        // first dump of that file that needs it, in the same write call (so a file stands alone).
        StackRecord? stack = null;
        if (record is DumpRecord dump)
        {
            IReadOnlyList<FrameRecord> frames = dump.Frames ?? [];
            long id = _stackIds.IdOf(frames, dump.Truncated);
            record = dump with { StackId = id };
            stack = new StackRecord(dump.Time, id, frames, dump.Truncated, dump.Notice);
        }

        try
        {
            RecordJson.WriteLine(_line, _json!, record);
            if (stack is not null)
            {
                RecordJson.WriteLine(_stackLine, _json!, stack);
            }
        }
        catch (Exception e)
        {
            Drop(Failure.Serialize, e);
            return;
        }

        int length = _line.WrittenCount;
        int stackLength = stack is null ? 0 : _stackLine.WrittenCount;
        if (_headerLine.WrittenCount > 0 && _headerLine.WrittenCount + length + stackLength > _settings.MaxFileBytes)
        {
            // Too large even for a new file (the last header's size tells, near enough; the exact
            // check follows the opening): drop it without rotating to a file it cannot go into.
            Drop(Failure.Oversized, TooLarge(record, length + stackLength));
            return;
        }

        bool withStack = stack is not null && (_stream is null || !_stacksInFile.Contains(stack.Id));
        if (_stream is not null && _recordsInFile > 0 && _fileBytes + length + (withStack ? stackLength : 0) > _settings.MaxFileBytes)
        {
            CloseFile(); // rotation: the next file's header says continuation
            withStack = stack is not null;
        }

        if (_stream is null && !OpenFile())
        {
            Interlocked.Increment(ref _dropped); // OpenFile reported why
            return;
        }

        int total = length + (withStack ? stackLength : 0);
        if (_fileBytes + total > _settings.MaxFileBytes)
        {
            Drop(Failure.Oversized, TooLarge(record, total));
            return;
        }

        ReadOnlySpan<byte> bytes = _line.WrittenSpan;
        if (withStack)
        {
            _both.Clear();
            _both.Write(_stackLine.WrittenSpan);
            _both.Write(_line.WrittenSpan);
            bytes = _both.WrittenSpan;
        }

        try
        {
            _stream!.Write(bytes);
            _stream.Flush(flushToDisk: false);
        }
        catch (Exception e)
        {
            // The line may be partly written: end the file there (a torn last line, as after a
            // crash) rather than append the next record to half a line.
            CloseFile();
            Drop(Failure.Write, e);
            return;
        }

        _fileBytes += total;
        _recordsInFile++;
        if (withStack)
        {
            _stacksInFile.Add(stack!.Id);
        }

        Interlocked.Increment(ref _written);
        _reported &= ~(Failure.Directory | Failure.Open | Failure.Write | Failure.Header);
    }

    private InvalidOperationException TooLarge(Record record, int length) => new(
        $"A {record.GetType().Name} of {length} bytes does not fit in a record file of at most {_settings.MaxFileBytes} bytes: dropped.");

    /// <summary>Opens the next file and writes its header. False (reported) when no file could be opened.</summary>
    private bool OpenFile()
    {
        bool continuation = Interlocked.Read(ref _files) > 0;
        try
        {
            HeaderRecord header = _headerFactory(continuation);
            RecordJson.WriteLine(_headerLine, _json!, header);
        }
        catch (Exception e)
        {
            Report(Failure.Header, e);
            return false;
        }

        if (_headerLine.WrittenCount > _settings.MaxFileBytes)
        {
            Report(Failure.Oversized, new InvalidOperationException(
                $"The header of {_headerLine.WrittenCount} bytes does not fit in a record file of at most {_settings.MaxFileBytes} bytes."));
            return false;
        }

        try
        {
            EnsureDirectory();
        }
        catch (Exception e)
        {
            Report(Failure.Directory, e);
            return false;
        }

        // One retry under a new name: the first may exist (a name taken by someone else, or a
        // planted symbolic link, which CreateNew refuses to follow).
        FileStream? stream = null;
        string path = string.Empty;
        for (int attempt = 0; attempt < 2 && stream is null; attempt++)
        {
            path = NextPath();
            try
            {
                stream = new FileStream(path, FileOptionsFor());
            }
            catch (Exception e)
            {
                Report(Failure.Open, e);
            }
        }

        if (stream is null)
        {
            return false;
        }

        try
        {
            stream.Write(_headerLine.WrittenSpan);
            stream.Flush(flushToDisk: false);
        }
        catch (Exception e)
        {
            Report(Failure.Write, e);
            TryDispose(stream);
            return false;
        }

        _stream = stream;
        _fileBytes = _headerLine.WrittenCount;
        _recordsInFile = 0;
        Interlocked.Increment(ref _files);
        Volatile.Write(ref _currentPath, path);
        EnforceRetention(path);
        return true;
    }

    private static FileStreamOptions FileOptionsFor()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read, // readers may tail the file; no other writer
            // No FileStream buffer: each record goes to the OS in the one Write call of its line.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private void EnsureDirectory()
    {
        if (Directory.Exists(_settings.Directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_settings.Directory);
        }
        else
        {
            Directory.CreateDirectory(_settings.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// The next file's path. Names are unique for this writer even when files are opened within one
    /// millisecond or the clock steps back: a name's time is at least 1 ms after the previous one's.
    /// </summary>
    private string NextPath()
    {
        DateTime now = _time.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        if (now <= _lastNameTime)
        {
            now = _lastNameTime.AddMilliseconds(1);
        }

        _lastNameTime = now;
        string name = string.Create(
            CultureInfo.InvariantCulture,
            $"{_settings.FilePrefix}-{now:yyyyMMdd-HHmmss-fff}-{_processId}.jsonl");
        return Path.Combine(_settings.Directory, name);
    }

    /// <summary>
    /// Deletes this prefix's oldest files (by the time in their names) until the others plus a full
    /// current file fit in <see cref="RecordFileSettings.MaxTotalBytes"/>. Regular files only.
    /// </summary>
    private void EnforceRetention(string currentPath)
    {
        try
        {
            var others = new List<(string Stamp, string Name, string Path, long Length)>();
            long total = 0;
            string currentName = Path.GetFileName(currentPath);
            foreach (FileInfo file in new DirectoryInfo(_settings.Directory).EnumerateFiles(_settings.FilePrefix + "-*.jsonl"))
            {
                Match match = _namePattern.Match(file.Name);
                if (!match.Success || string.Equals(file.Name, currentName, StringComparison.Ordinal)
                    || (file.Attributes & FileAttributes.ReparsePoint) != 0 || file.LinkTarget is not null)
                {
                    continue;
                }

                others.Add((match.Groups[1].Value, file.Name, file.FullName, file.Length));
                total += file.Length;
            }

            if (total + _settings.MaxFileBytes <= _settings.MaxTotalBytes)
            {
                return;
            }

            others.Sort((a, b) =>
            {
                int byStamp = string.CompareOrdinal(a.Stamp, b.Stamp);
                return byStamp != 0 ? byStamp : string.CompareOrdinal(a.Name, b.Name);
            });
            foreach (var old in others)
            {
                if (total + _settings.MaxFileBytes <= _settings.MaxTotalBytes)
                {
                    break;
                }

                try
                {
                    File.Delete(old.Path);
                    total -= old.Length;
                }
                catch (Exception e)
                {
                    Report(Failure.Retention, e);
                }
            }
        }
        catch (Exception e)
        {
            Report(Failure.Retention, e);
        }
    }

    private void CloseFile()
    {
        FileStream? stream = _stream;
        if (stream is null)
        {
            return;
        }

        _stream = null;
        _fileBytes = 0;
        _recordsInFile = 0;
        _stacksInFile.Clear();
        TryDispose(stream);
    }

    private void TryDispose(FileStream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (Exception e)
        {
            Report(Failure.Write, e);
        }
    }

    private void Drop(Failure kind, Exception e)
    {
        Interlocked.Increment(ref _dropped);
        Report(kind, e);
    }

    private void Report(Failure kind, Exception e)
    {
        if ((_reported & kind) != 0)
        {
            return;
        }

        _reported |= kind;
        try
        {
            _onError?.Invoke(e);
        }
        catch (Exception)
        {
            // The callback is the host's; its failure must not stop the writer.
        }
    }

    /// <summary>Kinds of failure, each reported once (IO kinds again after a successful write).</summary>
    [Flags]
    private enum Failure
    {
        None = 0,
        Directory = 1,
        Open = 2,
        Header = 4,
        Serialize = 8,
        Oversized = 16,
        Write = 32,
        Retention = 64,
        Internal = 128,
    }
}

using System.Buffers;
using System.Text.Json;
using StatProf.Sampler;
using StatProf.Sampler.Records;

namespace StatProf.Cli.Record;

/// <summary>
/// Writes what <c>statprof record</c> and <c>statprof attach</c> see into one format-2 record file
/// (docs/record-format.md): every managed thread of the target is a request named
/// <c>thread OSID NAME</c>, dumped every interval once it has been sampled for the threshold,
/// <c>same</c> lines for repeated stacks, an <c>end</c> line when the thread ends or the recording
/// stops, and a closing <c>stats</c> line. One thread (the event reader's) calls it.
/// </summary>
/// <remarks>
/// Written synchronously to the path the user chose (not through <see cref="RecordWriter"/>, which
/// names and rotates its own files): each record is one write flushed to the OS, so the file is valid
/// at every moment, even if statprof is killed.
/// </remarks>
internal sealed class ThreadRecordFile : ISampleSink, IDisposable
{
    private readonly FileStream _stream;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly StackIds _stackIds = new();
    private readonly HashSet<long> _stacksWritten = [];
    private readonly Dictionary<int, ThreadState> _threads = [];
    private readonly double _intervalMs;
    private readonly double _thresholdMs;
    private readonly Func<int, string> _threadName;
    private int _processId;
    private long _written;
    private long _samples;
    private bool _closed;

    private ThreadRecordFile(FileStream stream, double intervalMs, double thresholdMs, Func<int, string> threadName)
    {
        _stream = stream;
        _json = new Utf8JsonWriter(_buffer, RecordJson.WriterOptions);
        _intervalMs = intervalMs;
        _thresholdMs = thresholdMs;
        _threadName = threadName;
    }

    /// <summary>The file's path.</summary>
    public string Path => _stream.Name;

    /// <summary>Threads seen so far.</summary>
    public int Threads => _threads.Count;

    /// <summary>Dump and same records written.</summary>
    public long Dumps { get; private set; }

    /// <summary>
    /// Creates the file before the target is known, so that an unwritable path fails before
    /// anything starts; <see cref="Begin"/> writes the header. The file is new and readable by its
    /// owner only (0600, like the logger's record files): an existing regular file is replaced, and
    /// a symbolic link at the path is refused rather than followed. The file is created exclusively
    /// (O_EXCL), so a link planted after the check is not followed either.
    /// </summary>
    /// <exception cref="IOException">The path cannot be written, or it is a symbolic link.</exception>
    /// <exception cref="UnauthorizedAccessException">The path cannot be written.</exception>
    public static ThreadRecordFile Create(string path, double intervalMs, double thresholdMs, Func<int, string> threadName)
    {
        var existing = new FileInfo(path);
        if (existing.LinkTarget is { } target)
        {
            throw new IOException($"it is a symbolic link (to {target}); statprof does not write through links: give the real path.");
        }

        if (existing.Exists)
        {
            existing.Delete();
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 1 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new ThreadRecordFile(new FileStream(path, options), intervalMs, thresholdMs, threadName);
    }

    /// <summary>Asked for a notice (source lines unavailable for a module) as each new stack line is written; null: none.</summary>
    public Func<string?>? Notices { get; set; }

    /// <summary>Writes the header, once the target is known.</summary>
    public void Begin(HeaderRecord header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _processId = header.ProcessId;
        Write(header);
    }

    /// <inheritdoc/>
    public void OnSample(DateTime time, int osThreadId, DumpState state, IReadOnlyList<FrameRecord> frames)
    {
        if (_closed)
        {
            return;
        }

        _samples++;
        if (!_threads.TryGetValue(osThreadId, out ThreadState? thread) || thread.Ended)
        {
            // An OS id seen again after its thread ended is a new thread: a new request id.
            string id = "thread-" + osThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (thread is not null)
            {
                id += "-" + (thread.Generation + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var request = new RequestInfo(
                id,
                "thread",
                $"thread {osThreadId} {_threadName(osThreadId)}".TrimEnd(),
                time,
                null,
                []);
            thread = new ThreadState(request, osThreadId) { Generation = thread is null ? 1 : thread.Generation + 1 };
            _threads[osThreadId] = thread;
        }

        thread.LastSeen = time;
        double elapsed = (time - thread.Request.StartedAt).TotalMilliseconds;

        // Ticks jitter around the interval; half an interval keeps a burst of ticks from doubling dumps.
        if (elapsed < _thresholdMs || (thread.Dumps > 0 && (time - thread.LastDump).TotalMilliseconds < _intervalMs / 2))
        {
            return;
        }

        thread.LastDump = time;
        thread.Dumps++;
        Dumps++;
        var threadRef = new ThreadRef(osThreadId, ManagedId(osThreadId));
        long stackId = _stackIds.IdOf(frames, truncated: false);
        if (stackId == thread.LastStackId && thread.Dumps > 1)
        {
            Write(new SameRecord(time, thread.Request.Id, elapsed, thread.Dumps, threadRef, state, thread.LastStackDump));
            return;
        }

        if (_stacksWritten.Add(stackId))
        {
            Write(new StackRecord(time, stackId, frames, Truncated: false, Notice: Notices?.Invoke()));
        }

        thread.LastStackId = stackId;
        thread.LastStackDump = thread.Dumps;
        Write(new DumpRecord(time, thread.Request, elapsed, thread.Dumps, threadRef, state, frames, Truncated: false) { StackId = stackId });
    }

    /// <inheritdoc/>
    public void EndVanished(DateTime olderThan)
    {
        foreach (ThreadState thread in _threads.Values)
        {
            if (!thread.Ended && thread.LastSeen < olderThan)
            {
                End(thread, thread.LastSeen, "ok");
            }
        }
    }

    /// <summary>
    /// Ends every thread still open, then writes a <c>stats</c> line, and closes the file. The
    /// outcome of the threads still running is <c>ok</c> when the target exited (they ended with it)
    /// and <c>cancelled</c> when the recording stopped first.
    /// </summary>
    public void Close(DateTime now, bool targetExited, long ticks, long lostByRuntime)
    {
        if (_closed)
        {
            return;
        }

        foreach (ThreadState thread in _threads.Values)
        {
            if (!thread.Ended)
            {
                End(thread, targetExited ? thread.LastSeen : now, targetExited ? "ok" : "cancelled");
            }
        }

        var counters = new SamplerCounters
        {
            Ticks = ticks,
            SamplesSeen = _samples,
            SamplesKept = _samples,
            LostByRuntime = lostByRuntime,
            Sessions = 1,
        };
        Write(new StatsRecord(now, counters, _written, 0, _threads.Count, 1));
        _closed = true;
        _stream.Dispose();
    }

    /// <summary>Closes the file without a closing line (the last record written stays the last line).</summary>
    public void Dispose()
    {
        _closed = true;
        _json.Dispose();
        _stream.Dispose();
    }

    /// <summary>Closes and deletes the file: the recording never started.</summary>
    public void Discard()
    {
        Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception)
        {
            // Best effort: a file left behind holds only its header.
        }
    }

    /// <summary>
    /// The managed thread id where it is known out of process: the main thread (on Linux its OS id is
    /// the process id) is always managed thread 1. The runtime's sample events carry only OS ids, and
    /// its ThreadCreated event comes only for threads created while a session runs and only with the
    /// Threading keyword, which also turns on a ThreadPool event per work item: other threads get 0,
    /// "unknown" (docs/record-format.md, docs/cli-record.md).
    /// </summary>
    private int ManagedId(int osThreadId) => osThreadId == _processId && _processId > 0 ? 1 : 0;

    private void End(ThreadState thread, DateTime time, string outcome)
    {
        thread.Ended = true;
        if (thread.Dumps == 0)
        {
            return; // a thread never dumped has no end line (as a request that never passed T)
        }

        double duration = Math.Max(0, (time - thread.Request.StartedAt).TotalMilliseconds);
        Write(new EndRecord(time, thread.Request, duration, thread.Dumps, outcome, null, null));
    }

    private void Write(StatProf.Sampler.Records.Record record)
    {
        RecordJson.WriteLine(_buffer, _json, record);
        _stream.Write(_buffer.WrittenSpan);
        _stream.Flush();
        if (record is not HeaderRecord and not StackRecord)
        {
            _written++;
        }
    }

    private sealed class ThreadState(RequestInfo request, int osThreadId)
    {
        public RequestInfo Request { get; } = request;

        public int OsThreadId { get; } = osThreadId;

        public DateTime LastSeen { get; set; }

        public DateTime LastDump { get; set; }

        public int Dumps { get; set; }

        public long LastStackId { get; set; }

        public int LastStackDump { get; set; }

        public bool Ended { get; set; }

        public int Generation { get; init; }
    }
}

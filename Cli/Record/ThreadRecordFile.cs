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
internal sealed class ThreadRecordFile : IDisposable
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
    /// Creates the file (a new file, or an existing one truncated), before the target is known:
    /// an unwritable path fails before anything starts. <see cref="Begin"/> writes the header.
    /// </summary>
    /// <exception cref="IOException">The path cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The path cannot be written.</exception>
    public static ThreadRecordFile Create(string path, double intervalMs, double thresholdMs, Func<int, string> threadName)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
        return new ThreadRecordFile(stream, intervalMs, thresholdMs, threadName);
    }

    /// <summary>Asked for a notice (source lines unavailable for a module) as each new stack line is written; null: none.</summary>
    public Func<string?>? Notices { get; set; }

    /// <summary>Writes the header, once the target is known.</summary>
    public void Begin(HeaderRecord header) => Write(header);

    /// <summary>One thread sample of the target.</summary>
    /// <param name="time">The instant of the tick, UTC.</param>
    /// <param name="osThreadId">The sampled thread's OS id.</param>
    /// <param name="state">Running or waiting.</param>
    /// <param name="frames">Its stack, root first.</param>
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
        var threadRef = new ThreadRef(osThreadId, 0);
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

    /// <summary>
    /// Ends the threads not sampled since <paramref name="olderThan"/>: the sampler samples every
    /// managed thread at every tick, so a thread missing from later ticks has ended.
    /// </summary>
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

using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StatProf.Analysis;
using StatProf.Cli.Record;
using StatProf.Sampler.Records;
using SampleState = StatProf.Sampler.Records.DumpState;
using ThreadRef = StatProf.Sampler.Records.ThreadRef;

namespace StatProf.Cli.Top;

/// <summary>
/// The live state of <c>statprof top</c>: the thread samples of the last <see cref="Window"/> (one
/// per thread per interval, as <c>attach</c> keeps them) and the threads alive now. Fed by the
/// <see cref="EventPipeRecorder"/>'s reader thread; <see cref="Snapshot"/> (any other thread) turns
/// the window into record lines and runs the Analysis engine on them, so <c>top</c> ranks frames and
/// finds hot/cold boundaries exactly as <c>statprof report</c> does on a record file.
/// </summary>
internal sealed class TopWindow : ISampleSink
{
    private readonly object _gate = new();
    private readonly Queue<Sample> _samples = new();
    private readonly Dictionary<int, LiveThread> _threads = [];
    private readonly double _intervalMs;
    private readonly Func<int, string> _threadName;
    private long _received;
    private long _receivedAtLastSnapshot;
    private DateTime _lastSnapshotAt = DateTime.UtcNow;
    private DateTime _latest;

    public TopWindow(TimeSpan window, double intervalMs, Func<int, string> threadName)
    {
        Window = window;
        _intervalMs = intervalMs;
        _threadName = threadName;
    }

    /// <summary>How far back the frames and boundaries look.</summary>
    public TimeSpan Window { get; }

    /// <summary>Thread samples received from the runtime so far (before thinning to one per interval).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <inheritdoc/>
    public void OnSample(DateTime time, int osThreadId, SampleState state, IReadOnlyList<FrameRecord> frames)
    {
        lock (_gate)
        {
            _received++;
            if (!_threads.TryGetValue(osThreadId, out LiveThread? thread))
            {
                thread = new LiveThread(osThreadId, time) { Generation = NextGeneration(osThreadId) };
                _threads[osThreadId] = thread;
            }

            thread.LastSeen = time;
            thread.LastState = state;
            thread.LastFrames = frames;
            if (time > _latest)
            {
                _latest = time;
            }

            // Ticks jitter around the interval; half an interval keeps a burst of ticks from doubling samples.
            if (thread.Kept > 0 && (time - thread.LastKept).TotalMilliseconds < _intervalMs / 2)
            {
                return;
            }

            thread.LastKept = time;
            thread.Kept++;
            _samples.Enqueue(new Sample(time, thread, state, frames));
            DateTime horizon = time - Window;
            while (_samples.Count > 0 && _samples.Peek().Time < horizon)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <inheritdoc/>
    public void EndVanished(DateTime olderThan)
    {
        lock (_gate)
        {
            List<int>? gone = null;
            foreach (LiveThread thread in _threads.Values)
            {
                if (thread.LastSeen < olderThan)
                {
                    (gone ??= []).Add(thread.OsId);
                }
            }

            foreach (int id in gone ?? [])
            {
                _ended[id] = _threads[id].Generation;
                _threads.Remove(id);
            }
        }
    }

    private readonly Dictionary<int, int> _ended = [];

    private int NextGeneration(int osThreadId) => _ended.TryGetValue(osThreadId, out int last) ? last + 1 : 1;

    /// <summary>
    /// Analyses the window now: the hottest frames (running samples only unless
    /// <paramref name="idle"/>) and every live thread with its busiest leaf and hot/cold boundary.
    /// </summary>
    public TopSnapshot Snapshot(bool idle)
    {
        Sample[] samples;
        LiveThread[] threads;
        long received;
        DateTime latest;
        lock (_gate)
        {
            samples = _samples.ToArray();
            threads = [.. _threads.Values];
            received = _received;
            latest = _latest;
        }

        var clock = Stopwatch.StartNew();
        DateTime now = DateTime.UtcNow;
        double seconds = Math.Max(1e-3, (now - _lastSnapshotAt).TotalSeconds);
        double rate = (received - _receivedAtLastSnapshot) / seconds;
        _receivedAtLastSnapshot = received;
        _lastSnapshotAt = now;

        // The threads table needs each thread's share of running samples and its hot/cold boundary,
        // which a sample every 100 ms tells as well as every 10 ms at a tenth of the cost (a service's
        // hundred idle threads would otherwise dominate the refresh). The frames table keeps every
        // running sample; with --idle it has every sample and the threads table shares its analysis.
        Profile hot = Analyze(samples, runningOnly: !idle, spacingMs: 0);
        Profile all = idle ? hot : Analyze(samples, runningOnly: false, spacingMs: ThreadTableSpacingMs);
        var summaries = new Dictionary<string, RequestSummary>(StringComparer.Ordinal);
        foreach (RequestSummary summary in all.Requests)
        {
            summaries[summary.Request.Id] = summary;
        }

        var rows = new List<TopThread>(threads.Length);
        foreach (LiveThread thread in threads)
        {
            summaries.TryGetValue(thread.RequestId, out RequestSummary? summary);
            long running = summary?.Request.States.Running ?? 0;
            long total = summary?.Request.Samples ?? 0;
            string leaf = thread.LastFrames is { Count: > 0 } frames ? frames[^1].Name : string.Empty;
            rows.Add(new TopThread(
                thread.OsId,
                _threadName(thread.OsId),
                latest - thread.FirstSeen,
                thread.LastState == SampleState.Running,
                total == 0 ? 0 : (double)running / total,
                leaf,
                summary?.TopSpot?.Frame));
        }

        rows.Sort((a, b) => b.RunningShare != a.RunningShare ? b.RunningShare.CompareTo(a.RunningShare) : b.Seen.CompareTo(a.Seen));
        var frameRows = new List<TopFrame>();
        foreach (FrameStat frame in hot.Frames)
        {
            frameRows.Add(new TopFrame(frame.Name, frame.SelfShare.Value, frame.TotalShare.Value, frame.Self, frame.Total));
        }

        return new TopSnapshot(Window, hot.Samples, all.Samples, rate, frameRows, rows, clock.Elapsed);
    }

    /// <summary>Milliseconds between a thread's samples in the analysis behind the threads table.</summary>
    private const double ThreadTableSpacingMs = 100;

    private Profile Analyze(Sample[] samples, bool runningOnly, double spacingMs)
    {
        using var stream = new MemoryStream();
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, RecordJson.WriterOptions))
        {
            var stackIds = new Dictionary<IReadOnlyList<FrameRecord>, long>(ReferenceEqualityComparer.Instance);
            var dumps = new Dictionary<LiveThread, int>();
            var lastTime = new Dictionary<LiveThread, DateTime>();
            Write(stream, buffer, json, new HeaderRecord(DateTime.UtcNow, 0, "top", ".NET", 0, _intervalMs, Continuation: false));
            foreach (Sample sample in samples)
            {
                if (runningOnly && sample.State != SampleState.Running)
                {
                    continue;
                }

                if (spacingMs > 0)
                {
                    if (lastTime.TryGetValue(sample.Thread, out DateTime last) && (sample.Time - last).TotalMilliseconds < spacingMs)
                    {
                        continue;
                    }

                    lastTime[sample.Thread] = sample.Time;
                }

                if (!stackIds.TryGetValue(sample.Frames, out long stackId))
                {
                    stackId = stackIds.Count + 1;
                    stackIds[sample.Frames] = stackId;
                    Write(stream, buffer, json, new StackRecord(sample.Time, stackId, sample.Frames, Truncated: false));
                }

                int dump = dumps.GetValueOrDefault(sample.Thread) + 1;
                dumps[sample.Thread] = dump;
                double elapsed = Math.Max(0, (sample.Time - sample.Thread.FirstSeen).TotalMilliseconds);
                Write(stream, buffer, json, new DumpRecord(sample.Time, sample.Thread.Request, elapsed, dump, new ThreadRef(sample.Thread.OsId, 0), sample.State, sample.Frames, Truncated: false) { StackId = stackId });
            }
        }

        stream.Position = 0;
        var reader = new RecordReader();
        reader.Read(stream, "top");
        return Analyzer.Analyze(reader.Complete());
    }

    private static void Write(MemoryStream stream, ArrayBufferWriter<byte> buffer, Utf8JsonWriter json, StatProf.Sampler.Records.Record record)
    {
        RecordJson.WriteLine(buffer, json, record);
        stream.Write(buffer.WrittenSpan);
    }

    private readonly record struct Sample(DateTime Time, LiveThread Thread, SampleState State, IReadOnlyList<FrameRecord> Frames);

    private sealed class LiveThread(int osId, DateTime firstSeen)
    {
        private RequestInfo? _request;

        public int OsId { get; } = osId;

        public DateTime FirstSeen { get; } = firstSeen;

        public int Generation { get; init; }

        public DateTime LastSeen { get; set; }

        public DateTime LastKept { get; set; }

        public int Kept { get; set; }

        public SampleState LastState { get; set; }

        public IReadOnlyList<FrameRecord>? LastFrames { get; set; }

        public string RequestId => Request.Id;

        public RequestInfo Request => _request ??= new RequestInfo(
            string.Create(CultureInfo.InvariantCulture, $"thread-{OsId}-{Generation}"),
            "thread",
            string.Create(CultureInfo.InvariantCulture, $"thread {OsId}"),
            FirstSeen,
            null,
            []);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using StatProf.Sampler.Internal;
using StatProf.Sampler.Internal.Symbols;
using StatProf.Sampler.Monitoring;
using StatProf.Sampler.Records;

namespace StatProf.Sampler;

/// <summary>
/// Watches every monitored request; a request that runs longer than
/// <see cref="LongRequestLoggerOptions.Threshold"/> has its thread's stack recorded every
/// <see cref="LongRequestLoggerOptions.Interval"/> until it ends, with the request's own information,
/// in a record file (JSON lines). Only slow requests cost anything: no sampling session runs while
/// no request is near the threshold.
/// </summary>
/// <remarks>
/// One background thread ("StatProf long-request logger") finds the requests that run long, starts
/// and stops the sampler, turns their samples into dump records and hands them to the record
/// writer's own thread. Nothing here throws into the host once constructed.
/// </remarks>
public sealed class LongRequestLogger : IDisposable
{
    private static readonly TimeSpan StepPeriod = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan EndWaitLimit = TimeSpan.FromSeconds(10); // samples can lag seconds behind on a loaded machine
    private static readonly TimeSpan StartRetryDelay = TimeSpan.FromSeconds(1); // after a start that failed (timed out, or no diagnostics)
    private static readonly TimeSpan ShutdownWaitLimit = TimeSpan.FromSeconds(5); // how long Dispose follows ended requests' late samples

    private readonly LongRequestLoggerOptions _options;
    private readonly StackSampler _sampler;
    private readonly RequestRegistry _registry;
    private readonly Redactor _redactor;
    private readonly RecordWriter _writer;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _wake = new();
    private readonly ConcurrentQueue<EndNotice> _endNotices = new();
    private readonly Dictionary<long, SlowRequest> _slow = [];
    private readonly List<EndNotice> _pendingEnds = [];
    private readonly ThreadSample[] _buffer = new ThreadSample[4096];
    private readonly long _thresholdTicks;
    private readonly long _intervalTicks;
    private readonly long _activateTicks;
    private readonly long _slackTicks;
    private readonly HashSet<string> _reportedFaults = [];
    private readonly SourceLines _lines;
    private volatile bool _stopping;
    private int _reclaimPasses;
    private long _nextStartAttempt;
    private int _startAttempts;
    private long _coveredFrom = long.MaxValue;
    private long _idleSince;
    private long _nextStats;
    private long _nextReclaim;
    private long _slowRequests;
    private long _activations;
    private long _lastActivationLatencyTicks;
    private int _disposed;

    /// <summary>Creates the logger and its background thread. No sampling runs until a request runs long.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public LongRequestLogger(LongRequestLoggerOptions? options = null)
    {
        _options = (options ?? new LongRequestLoggerOptions()).Validated();
        _thresholdTicks = ToTicks(_options.Threshold);
        _intervalTicks = ToTicks(_options.Interval);
        TimeSpan lead = _options.ActivationLead < _options.Threshold / 2 ? _options.ActivationLead : _options.Threshold / 2;
        _activateTicks = _thresholdTicks - ToTicks(lead);
        // The runtime delivers samples of different threads out of order by up to its buffer flush
        // (~0.1 s, more on a loaded machine): an instant counts as passed only this much later.
        _slackTicks = ToTicks(TimeSpan.FromMilliseconds(300));
        _redactor = new Redactor(_options.Redaction);
        _sampler = new StackSampler(_options.Sampler);
        _lines = new SourceLines([.. _options.SymbolDirectories]);
        _registry = new RequestRegistry(_sampler.MonitoredThreads, TimeSpan.FromTicks(Math.Max(1, _activateTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency)), OnLongRequestEnded);
        _writer = new RecordWriter(
            new RecordFileSettings
            {
                Directory = Path.GetFullPath(_options.Directory),
                FilePrefix = _options.FilePrefix,
                MaxFileBytes = _options.MaxFileBytes,
                MaxTotalBytes = _options.MaxTotalBytes,
                QueueCapacity = _options.WriteQueueCapacity,
            },
            MakeHeader,
            OnWriterError);
        _thread = new Thread(Run) { IsBackground = true, Name = "StatProf long-request logger" };
        _thread.Start();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Raised on the logger's thread when a slow request's end record is written. Handler exceptions are swallowed.</summary>
    public event EventHandler<SlowRequestSummary>? SlowRequestEnded;

    /// <summary>The record file written now, if one is open.</summary>
    public string? CurrentRecordFile => _writer.CurrentPath;

    /// <summary>True while a sampling session runs.</summary>
    public bool IsSampling => _sampler.IsRunning;

    /// <summary>The sampler behind the logger (its counters, tick interval and stack table).</summary>
    public StackSampler Sampler => _sampler;

    /// <summary>A snapshot of the logger's figures.</summary>
    public LongRequestLoggerStatistics GetStatistics() => new(
        Interlocked.Read(ref _slowRequests),
        Interlocked.Read(ref _activations),
        TimeSpan.FromSeconds(Interlocked.Read(ref _lastActivationLatencyTicks) / (double)Stopwatch.Frequency),
        _writer.Written,
        _writer.Dropped,
        _sampler.IsRunning,
        _sampler.GetCounters());

    /// <summary>
    /// The requests running now for at least <paramref name="minimumAge"/>, longest first, with the
    /// last stack sampled for them (sampled only once a request nears the threshold). Names are
    /// redacted as in the record files. Safe from any thread; allocates (for diagnostics pages).
    /// </summary>
    public IReadOnlyList<RunningRequest> GetRunningRequests(TimeSpan minimumAge)
    {
        long now = Stopwatch.GetTimestamp();
        long minTicks = ToTicks(minimumAge < TimeSpan.Zero ? TimeSpan.Zero : minimumAge);
        var running = new List<RunningRequest>();
        foreach (RequestState state in _registry.All)
        {
            long id = state.Id;
            if (id == 0 || now - state.Start < minTicks)
            {
                continue;
            }

            string name = _redactor.RedactName(state.Name.ToString());
            string kind = state.Kind;
            string externalId = ReadExternalId(state) ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            long start = state.Start;
            int thread = Volatile.Read(ref state.CurrentOsThread);
            int stackId = Volatile.Read(ref state.LastStackId);
            bool waiting = state.LastWaiting;
            Interlocked.MemoryBarrier();
            if (state.Id != id)
            {
                continue; // it ended (and the state was reused) while we read it
            }

            IReadOnlyList<StackFrameInfo>? stack = stackId >= 0 && stackId < _sampler.Stacks.StackCount ? _sampler.Stacks.GetStack(stackId) : null;
            running.Add(new RunningRequest(externalId, kind, name, TimeSpan.FromSeconds((now - start) / (double)Stopwatch.Frequency), thread, stack, stack is null ? null : waiting));
        }

        running.Sort((a, b) => b.Elapsed.CompareTo(a.Elapsed));
        return running;
    }

    /// <summary>
    /// Begins a request bound to the calling thread (synchronous code). Dispose the scope on this
    /// thread when the request ends.
    /// </summary>
    /// <param name="name">What the request asks for, e.g. <c>GET /orders/42?token=abc</c> (redacted before it is written).</param>
    /// <param name="kind">What it is: <c>http</c>, <c>job</c>, … Default: <c>request</c>.</param>
    /// <param name="id">The host's id for the request; StatProf numbers it when null.</param>
    /// <param name="tags">More information to record (headers, user, tenant, …), redacted before it is written.</param>
    public RequestScope BeginRequest(string name, string kind = "request", string? id = null, IReadOnlyList<KeyValuePair<string, string>>? tags = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        RequestState state = _registry.BeginSync(kind, new RequestName(name), id, tags, out SyncThreadContext? context);
        return new RequestScope(_registry, state, context);
    }

    /// <summary>
    /// Begins a request that flows with the execution context (async code): whichever thread runs it
    /// at a tick is attributed to it. Dispose the scope in the same async method.
    /// </summary>
    /// <param name="name">What the request asks for (redacted before it is written).</param>
    /// <param name="kind">What it is. Default: <c>request</c>.</param>
    /// <param name="id">The host's id for the request; StatProf numbers it when null.</param>
    /// <param name="tags">More information to record, redacted before it is written.</param>
    public AsyncRequestScope BeginAsyncRequest(string name, string kind = "request", string? id = null, IReadOnlyList<KeyValuePair<string, string>>? tags = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new AsyncRequestScope(_registry, _registry.BeginAsync(kind, new RequestName(name), id, tags));
    }

    /// <summary>
    /// Begins an async request whose name is given in pieces (joined only if it turns slow) and whose
    /// id and tags <paramref name="details"/> reads from <paramref name="source"/> only if it turns
    /// slow: a host's middleware (StatProf.AspNetCore) builds nothing per request. Dispose the scope in
    /// the async method that called this: its return takes the request out of the execution context.
    /// </summary>
    internal AsyncRequestScope BeginAsyncRequest(RequestName name, string kind, RequestDetails details, object source)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new AsyncRequestScope(_registry, _registry.BeginAsync(kind, name, externalId: null, tags: null, details, source), leaveContext: true);
    }

    /// <summary>
    /// Stops the logger: writes the end records of the slow requests that ended (first following, for at
    /// most 5 s, the samples still on their way to them), a stats record, stops sampling and closes the
    /// record file. Bounded in time; never throws.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _registry.Retire();
        _stopping = true;
        _wake.Set();
        if (_thread.Join(TimeSpan.FromSeconds(10)))
        {
            _wake.Dispose();
        }

        _sampler.Dispose();
        _writer.Dispose();
        _lines.Dispose();
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    /// <summary>Test hook: the threads the sampler's filter knows.</summary>
    internal int KnownThreads => _sampler.MonitoredThreads.KnownThreads;

    /// <summary>Test hook: the sampling sessions the logger tried to start, failed ones included.</summary>
    internal int StartAttempts => Volatile.Read(ref _startAttempts);

    /// <summary>Test hook: the passes that reclaimed ended threads' states (about one a second).</summary>
    internal int ReclaimPasses => Volatile.Read(ref _reclaimPasses);

    /// <summary>Test hook: the request states the registry holds (in use or pooled).</summary>
    internal int RegisteredStates => _registry.All.Length;

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private HeaderRecord MakeHeader(bool continuation) => new(
        DateTime.UtcNow,
        Environment.ProcessId,
        Process.GetCurrentProcess().ProcessName,
        RuntimeInformation.FrameworkDescription,
        _options.Threshold.TotalMilliseconds,
        _options.Interval.TotalMilliseconds,
        continuation);

    private void Run()
    {
        if (_options.Continuous)
        {
            Guard("start", EnsureSampling);
        }

        Action step = Step; // one delegate, not one per step (50 a second)
        while (!_stopping)
        {
            Guard("step", step);
            // Manual-reset: without the Reset, the first Set (a slow request's end) would leave it set and
            // turn this loop into a busy loop for good (measured: ~60 % of a core after one slow request).
            // A Set between Wait and Reset is not lost work: the next step, at most StepPeriod later, sees it.
            _wake.Wait(StepPeriod);
            _wake.Reset();
        }

        Guard("shutdown", Shutdown);
    }

    private void Guard(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            // Never into the host: report each kind of fault once, and carry on.
            if (_reportedFaults.Add(what + ":" + ex.GetType().FullName))
            {
                _options.Logger?.LogError(ex, "StatProf long-request logger fault ({What}): {Message}", what, ex.Message);
            }
        }
    }

    private void Step()
    {
        long now = Stopwatch.GetTimestamp();
        CoarseClock.Calibrate();
        FindLongRequests(now);
        if (_options.Continuous || NeedsSampling() || _pendingEnds.Count > 0 || !_endNotices.IsEmpty)
        {
            EnsureSampling(); // in continuous mode too: a start that timed out on a saturated machine is tried again
        }

        long watermark = _sampler.LatestTickTimestamp; // before draining: every sample up to it is in the ring
        DrainSamples();
        CollectEndNotices();
        ForgetRequestsThatEndedUnannounced();
        EmitAwaitingDumps(watermark);
        FinishEndedRequests(watermark, now, force: false);
        StopWhenIdle(now);
        WriteStatsEveryMinute(now);
        ReclaimEndedThreadsEverySecond(now);
    }

    private void ReclaimEndedThreadsEverySecond(long now)
    {
        if (now >= _nextReclaim)
        {
            _nextReclaim = now + Stopwatch.Frequency;
            _registry.ReclaimEndedThreads();
            _sampler.MonitoredThreads.PruneEnded(now, TimeSpan.FromSeconds(5));
            Volatile.Write(ref _reclaimPasses, _reclaimPasses + 1);
        }
    }

    /// <summary>The watchdog: requests near or past the threshold become followed slow requests.</summary>
    private void FindLongRequests(long now)
    {
        foreach (RequestState state in _registry.All)
        {
            long id = state.Id;
            if (id == 0)
            {
                continue;
            }

            long start = state.Start;
            if (now - start >= _registry.PreciseEndTicks && !state.NeedsEndTime)
            {
                RequestRegistry.MarkLongRunning(state); // at worst a reused state's next request: it then reads one clock more
            }

            if (now - start < _activateTicks)
            {
                continue;
            }

            if (_slow.TryGetValue(id, out SlowRequest? known))
            {
                if (!known.Counted && now - known.Start >= _thresholdTicks)
                {
                    known.Counted = true;
                    Interlocked.Increment(ref _slowRequests);
                }

                continue;
            }

            RequestInfo info = Describe(state, id);
            long startUtc = state.StartUtcTicks;
            bool isAsync = state.Async;
            Interlocked.MemoryBarrier();
            if (state.Id != id)
            {
                continue; // it ended (and the state was reused) while we read it
            }

            _slow[id] = new SlowRequest(id, state, info, start, startUtc, Math.Max(start + _thresholdTicks, _coveredFrom == long.MaxValue ? 0 : _coveredFrom)) { IsAsync = isAsync };
        }
    }

    private bool NeedsSampling()
    {
        foreach (SlowRequest request in _slow.Values)
        {
            if (!request.Exhausted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A request whose state moved on without an end notice (its notice could not be made) would
    /// otherwise be followed for ever: the notice is queued before the state is freed, so by now it
    /// would have been collected.
    /// </summary>
    private void ForgetRequestsThatEndedUnannounced()
    {
        List<long>? gone = null;
        foreach (SlowRequest request in _slow.Values)
        {
            if (request.End is null && request.State.Id != request.Id)
            {
                (gone ??= []).Add(request.Id);
            }
        }

        if (gone is not null)
        {
            CollectEndNotices(); // a notice queued between the two looks
            foreach (long id in gone)
            {
                if (_slow.TryGetValue(id, out SlowRequest? request) && request.End is null)
                {
                    _slow.Remove(id);
                }
            }
        }
    }

    /// <summary>
    /// What the records say about a request: what its scope gave, and what its host's
    /// <see cref="RequestDetails"/> reads now. Called on the logger's thread while the request runs
    /// (the caller then checks that the state still has <paramref name="id"/>) or on the request's
    /// thread as it ends.
    /// </summary>
    private RequestInfo Describe(RequestState state, long id)
    {
        string? externalId = ReadExternalId(state);
        IReadOnlyList<KeyValuePair<string, string>>? raw = state.Tags;
        if (state.Details is { } details && state.DetailsSource is { } source)
        {
            var read = new List<KeyValuePair<string, string>>();
            try
            {
                details.ReadTags(source, read);
            }
            catch (Exception)
            {
                // The host's object changed under the read (the request ended, or its thread wrote to
                // it): keep what was read; the caller drops it all if the request ended.
            }

            raw = read;
        }

        IReadOnlyList<KeyValuePair<string, string>> tags = raw is { Count: > 0 }
            ? raw.Select(t => new KeyValuePair<string, string>(t.Key, _redactor.RedactValue(t.Key, t.Value))).ToArray()
            : [];
        string? traceId = state.TraceId == default ? null : state.TraceId.ToHexString();
        return new RequestInfo(
            externalId ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            state.Kind,
            _redactor.RedactName(state.Name.ToString()),
            new DateTime(state.StartUtcTicks, DateTimeKind.Utc),
            traceId,
            tags);
    }

    /// <summary>The host's id for the request: given by its scope, or read by its <see cref="RequestDetails"/> (null if that fails).</summary>
    private static string? ReadExternalId(RequestState state)
    {
        if (state.Details is { } details && state.DetailsSource is { } source)
        {
            try
            {
                return details.ReadId(source);
            }
            catch (Exception)
            {
                return null; // as in Describe: the caller drops what it read if the request ended
            }
        }

        return state.ExternalId;
    }

    private void EnsureSampling()
    {
        if (_sampler.IsRunning || Stopwatch.GetTimestamp() < _nextStartAttempt)
        {
            return;
        }

        long requested = _slow.Count > 0 ? _slow.Values.Min(r => r.Start) + _activateTicks : Stopwatch.GetTimestamp();
        Volatile.Write(ref _startAttempts, _startAttempts + 1);
        try
        {
            _sampler.Start();
        }
        catch (SamplerUnavailableException ex)
        {
            _nextStartAttempt = Stopwatch.GetTimestamp() + ToTicks(StartRetryDelay);
            if (_reportedFaults.Add("unavailable"))
            {
                _options.Logger?.LogError("{Message}", ex.Message);
            }

            return;
        }

        long ready = Stopwatch.GetTimestamp();
        _coveredFrom = ready;
        Interlocked.Increment(ref _activations);
        Interlocked.Exchange(ref _lastActivationLatencyTicks, Math.Max(0, ready - requested));
        foreach (SlowRequest request in _slow.Values)
        {
            // Instants before the session existed were not sampled: no dump can describe them.
            while (request.NextDumpAt < ready - _intervalTicks)
            {
                request.NextDumpAt += _intervalTicks;
            }
        }

        _nextStats = ready + ToTicks(TimeSpan.FromMinutes(1));
    }

    private void DrainSamples()
    {
        int n;
        while ((n = _sampler.Drain(_buffer)) > 0)
        {
            foreach (ref readonly ThreadSample sample in _buffer.AsSpan(0, n))
            {
                if (sample.RequestId != 0 && _slow.TryGetValue(sample.RequestId, out SlowRequest? request))
                {
                    OnSample(request, sample);
                }
            }
        }
    }

    private void OnSample(SlowRequest request, in ThreadSample sample)
    {
        request.LastStackId = sample.StackId;
        if (request.State.Id == request.Id)
        {
            // Read by GetRunningRequests on other threads (the live endpoint); a race only shows a stale stack.
            request.State.LastWaiting = sample.Activity == ThreadActivity.Waiting;
            Volatile.Write(ref request.State.LastStackId, sample.StackId);
        }
        request.LastThread = new ThreadRef(sample.OsThreadId, sample.ManagedThreadId);
        if (sample.Timestamp < request.NextDumpAt || (request.End is { } end && sample.Timestamp > end.End))
        {
            return;
        }

        DumpState state = sample.Activity == ThreadActivity.Running ? DumpState.Running : DumpState.Waiting;
        Dump(request, sample.Timestamp, sample.TimestampUtcTicks, sample.StackId, state, request.LastThread);
        while (request.NextDumpAt <= sample.Timestamp)
        {
            request.NextDumpAt += _intervalTicks;
        }
    }

    /// <summary>
    /// A dump instant the runtime has gone past with no sample of the request: it was on no thread
    /// then (awaiting), and is recorded with the last stack it had.
    /// </summary>
    private void EmitAwaitingDumps(long watermark)
    {
        foreach (SlowRequest request in _slow.Values)
        {
            if (!request.IsAsync)
            {
                continue; // a synchronous request is always on its thread: its samples will come
            }

            long limit = request.End?.End ?? long.MaxValue;
            while (!request.Exhausted
                && request.NextDumpAt >= _coveredFrom
                && request.NextDumpAt + _slackTicks <= watermark
                && request.NextDumpAt < limit)
            {
                long at = request.NextDumpAt;
                long utc = request.StartUtcTicks + ((at - request.Start) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
                Dump(request, at, utc, request.LastStackId, DumpState.Awaiting, request.LastThread);
                request.NextDumpAt += _intervalTicks;
            }
        }
    }

    private void Dump(SlowRequest request, long at, long utcTicks, int stackId, DumpState state, ThreadRef thread)
    {
        if (request.Exhausted)
        {
            return;
        }

        request.Dumps++;
        request.Exhausted = request.Dumps >= _options.MaxDumpsPerRequest;
        var time = new DateTime(utcTicks, DateTimeKind.Utc);
        double elapsedMs = (at - request.Start) * 1000.0 / Stopwatch.Frequency;
        if (stackId >= 0 && stackId == request.LastDumpStackId)
        {
            _writer.TryWrite(new SameRecord(time, request.Info.Id, elapsedMs, request.Dumps, thread, state, request.LastFullDump));
            return;
        }

        var frames = new List<FrameRecord>();
        bool truncated = false;
        if (stackId >= 0)
        {
            foreach (StackFrameInfo frame in _sampler.Stacks.GetStack(stackId))
            {
                truncated |= frame.Id == StackTable.TruncatedFrameId;

                // On the logger thread, never the sampler's: the PDB is read here, once per module.
                SourceLocation? at2 = _lines.Resolve(frame.ModulePath, frame.MethodToken, frame.ILOffset);
                frames.Add(new FrameRecord(frame.Name, frame.Module, at2?.File, at2?.Line ?? 0));
            }
        }

        string? notice = SourceLines.NoticeFor(_lines.TakeNewModulesWithoutSymbols());
        _writer.TryWrite(new DumpRecord(time, request.Info, elapsedMs, request.Dumps, thread, state, frames, truncated) { Notice = notice });
        request.LastDumpStackId = stackId;
        request.LastFullDump = request.Dumps;
    }

    private void OnLongRequestEnded(RequestState state, long end)
    {
        // On the request's own thread, for requests that ran at least threshold minus lead only.
        try
        {
            bool cancelled = state.Cancelled;
            if (!cancelled && state.Details is { } details && state.DetailsSource is { } source)
            {
                try
                {
                    cancelled = details.ReadCancelled(source);
                }
                catch (Exception)
                {
                    // Unknown: recorded as not cancelled.
                }
            }

            _endNotices.Enqueue(new EndNotice(state.Id, state.Start, end, state.StartUtcTicks, Describe(state, state.Id), state.Status, state.Error, cancelled));
            _wake.Set();
        }
        catch (Exception)
        {
            // Never into the host: at worst this request's end record is missing.
        }
    }

    private void CollectEndNotices()
    {
        while (_endNotices.TryDequeue(out EndNotice? notice))
        {
            _pendingEnds.Add(notice);
            if (_slow.TryGetValue(notice.Id, out SlowRequest? request))
            {
                request.End = notice;
            }
        }
    }

    private void FinishEndedRequests(long watermark, long now, bool force)
    {
        for (int i = _pendingEnds.Count - 1; i >= 0; i--)
        {
            EndNotice notice = _pendingEnds[i];
            bool lastSamplesIn = !_sampler.IsRunning
                || watermark >= notice.End + _slackTicks
                || now - notice.End > ToTicks(EndWaitLimit)
                || force;
            if (!lastSamplesIn)
            {
                continue;
            }

            _pendingEnds.RemoveAt(i);
            _slow.Remove(notice.Id, out SlowRequest? request);
            if (notice.End - notice.Start < _thresholdTicks)
            {
                continue; // it came near the threshold, never past it
            }

            if (request is null || !request.Counted)
            {
                Interlocked.Increment(ref _slowRequests);
            }

            WriteEnd(notice, request?.Dumps ?? 0);
        }
    }

    private void WriteEnd(EndNotice notice, int dumps)
    {
        string outcome = notice.Error is not null ? "error" : notice.Cancelled ? "cancelled" : "ok";
        int? status = notice.Status == 0 ? null : notice.Status;
        TimeSpan duration = TimeSpan.FromSeconds((notice.End - notice.Start) / (double)Stopwatch.Frequency);
        var time = new DateTime(notice.StartUtcTicks + duration.Ticks, DateTimeKind.Utc);
        _writer.TryWrite(new EndRecord(time, notice.Info, duration.TotalMilliseconds, dumps, outcome, status, notice.Error));

        EventHandler<SlowRequestSummary>? handler = SlowRequestEnded;
        if (handler is not null)
        {
            try
            {
                // The writer opens its file on its own thread: before the first record is out, name the pattern.
                string file = _writer.CurrentPath ?? Path.Combine(Path.GetFullPath(_options.Directory), _options.FilePrefix + "-*.jsonl");
                handler(this, new SlowRequestSummary(notice.Info.Id, notice.Info.Kind, notice.Info.Name, duration, dumps, outcome, status, file));
            }
            catch (Exception ex)
            {
                if (_reportedFaults.Add("handler:" + ex.GetType().FullName))
                {
                    _options.Logger?.LogWarning(ex, "A SlowRequestEnded handler threw: {Message}", ex.Message);
                }
            }
        }
    }

    private void StopWhenIdle(long now)
    {
        if (_options.Continuous || !_sampler.IsRunning)
        {
            return;
        }

        if (NeedsSampling() || _pendingEnds.Count > 0)
        {
            _idleSince = 0;
            return;
        }

        if (_idleSince == 0)
        {
            _idleSince = now;
        }
        else if (now - _idleSince >= ToTicks(_options.IdleStop))
        {
            WriteStats();
            _sampler.Stop();
            DrainSamples(); // nobody follows them any more: empty the ring for the next session
            _coveredFrom = long.MaxValue;
            _idleSince = 0;
        }
    }

    private void WriteStatsEveryMinute(long now)
    {
        if (_sampler.IsRunning && now >= _nextStats)
        {
            WriteStats();
            _nextStats = now + ToTicks(TimeSpan.FromMinutes(1));
        }
    }

    private void WriteStats() => _writer.TryWrite(new StatsRecord(
        DateTime.UtcNow,
        _sampler.GetCounters(),
        _writer.Written,
        _writer.Dropped,
        Interlocked.Read(ref _slowRequests),
        Interlocked.Read(ref _activations)));

    private void Shutdown()
    {
        // A slow request that ended just before the stop has samples still on their way (seconds late on
        // a loaded machine): follow them until they are in, for a bounded time, so its last dumps and its
        // dump count are written; then write what is left.
        long deadline = Stopwatch.GetTimestamp() + ToTicks(ShutdownWaitLimit);
        CollectEndNotices();
        while (_sampler.IsRunning && _pendingEnds.Count > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            WriteWhatArrived(force: false);
            if (_pendingEnds.Count > 0)
            {
                Thread.Sleep(StepPeriod);
            }
        }

        WriteWhatArrived(force: true);
        if (_activations > 0)
        {
            WriteStats();
        }
    }

    /// <summary>At shutdown: the dumps and end records the samples that arrived make due (all end records when forced).</summary>
    private void WriteWhatArrived(bool force)
    {
        long watermark = _sampler.LatestTickTimestamp; // before draining: every sample up to it is in the ring
        DrainSamples();
        CollectEndNotices();
        EmitAwaitingDumps(watermark);
        FinishEndedRequests(watermark, Stopwatch.GetTimestamp(), force);
    }

    private void OnWriterError(Exception error)
    {
        _options.Logger?.LogWarning(error, "StatProf could not write a record: {Message}", error.Message);
    }
}

/// <summary>A snapshot of a <see cref="LongRequestLogger"/>'s figures.</summary>
/// <param name="SlowRequests">Requests that ran past the threshold.</param>
/// <param name="Activations">Sampling sessions started for them.</param>
/// <param name="LastActivationLatency">From the moment sampling was needed to the moment it ran, for the last activation.</param>
/// <param name="RecordsWritten">Records written.</param>
/// <param name="RecordsDropped">Records dropped (queue full, disk errors).</param>
/// <param name="IsSampling">True while a session runs.</param>
/// <param name="Sampler">The sampler's counters.</param>
public sealed record LongRequestLoggerStatistics(
    long SlowRequests,
    long Activations,
    TimeSpan LastActivationLatency,
    long RecordsWritten,
    long RecordsDropped,
    bool IsSampling,
    SamplerCounters Sampler);

using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using StatProf.Sampler.Internal.Symbols;

namespace StatProf.Sampler.Internal;

/// <summary>
/// The work done on the sampler thread for each event: keep the thread samples of the threads that
/// matter, resolve their stacks to interned ids, push them into the ring, and trim TraceLog.
/// Lives as long as its <see cref="StackSampler"/>: counters and interned stacks survive restarts.
/// </summary>
/// <remarks>
/// Steady state allocates nothing: a sample whose TraceLog stack was seen before is one dictionary
/// lookup and one ring push. Exceptions never leave <see cref="OnEvent"/> (an exception in a
/// TraceEvent callback can freeze <c>Process()</c>): they are handed to the fault callback once.
/// </remarks>
internal sealed class SampleProcessor
{
    /// <summary>Microsoft-DotNETCore-SampleProfiler.</summary>
    internal static readonly Guid SampleProfilerProvider = new("3c530d44-97ae-513a-1e6d-783e8f8e03a9");

    /// <summary>TraceLog interns at most this many stacks between trims, whatever the trim interval.</summary>
    private const int MaxTraceLogStacks = 200_000;

    private readonly SampleRing _ring;
    private readonly StackTable _stacks;
    private readonly MonitoredThreads _monitored;
    private readonly bool _allThreads;
    private readonly int _maxDepth;
    private readonly long _trimIntervalTicks;
    private readonly Action<Exception> _onFault;
    private readonly int[] _frameBuffer;

    // Keyed on TraceLog indexes: valid for one session, and only until the next trim.
    private readonly Dictionary<int, int> _stackByTraceLogIndex = new();
    private readonly Dictionary<int, int> _frameByCodeAddress = new();

    private TraceLog? _traceLog;
    private long _nextTrimUtcTicks;
    private volatile bool _ignoring;

    // Counters: written by the sampler thread only, read with Volatile.Read.
    private long _seen;
    private long _kept;
    private long _filtered;
    private long _truncated;
    private long _tableFull;
    private long _trims;
    private long _lostBefore;
    private long _latestTimestamp;
    private TraceLogEventSource? _source;

    public SampleProcessor(SampleRing ring, StackTable stacks, MonitoredThreads monitored, SamplerOptions options, Action<Exception> onFault)
    {
        _ring = ring;
        _stacks = stacks;
        _monitored = monitored;
        _allThreads = options.Mode == SamplingMode.AllThreads;
        _maxDepth = options.MaxStackDepth;
        _trimIntervalTicks = options.TrimInterval.Ticks;
        _onFault = onFault;
        _frameBuffer = new int[options.MaxStackDepth + 1];
    }

    public TickClock Clock { get; } = new();

    /// <summary>IL-to-native maps of this process's jitted code (fed by the session; read on the sampler thread).</summary>
    public NativeCodeMaps Maps { get; } = new();

    private NativeCodeMaps? _rundownMaps;

    /// <summary>
    /// Hands over the maps of a rundown collected on another thread: the sampler thread merges them
    /// before its next sample and drops the caches of frames resolved without them.
    /// </summary>
    public void OfferRundown(NativeCodeMaps maps) => Volatile.Write(ref _rundownMaps, maps);

    public long Seen => Volatile.Read(ref _seen);

    public long Kept => Volatile.Read(ref _kept);

    public long Filtered => Volatile.Read(ref _filtered);

    public long Truncated => Volatile.Read(ref _truncated);

    public long TableFull => Volatile.Read(ref _tableFull);

    public long Trims => Volatile.Read(ref _trims);

    /// <summary>
    /// The instant (Stopwatch clock) of the latest tick processed, monitored thread or not: every
    /// sample of an earlier instant is already in the ring. 0 before the first tick.
    /// </summary>
    public long LatestTimestamp => Volatile.Read(ref _latestTimestamp);

    /// <summary>Events the runtime lost, over all sessions.</summary>
    public long LostByRuntime
    {
        get
        {
            long current = 0;
            try
            {
                current = _source?.EventsLost ?? 0;
            }
            catch (Exception)
            {
                // The source may be disposed concurrently; the count up to the last session stands.
            }

            return Volatile.Read(ref _lostBefore) + current;
        }
    }

    /// <summary>When set, events are skipped: the session is stopping or has faulted.</summary>
    public bool Ignoring
    {
        get => _ignoring;
        set => _ignoring = value;
    }

    /// <summary>Test hook: thrown from the next sample processed, to prove faults are contained.</summary>
    internal Exception? InjectedFault { get; set; }

    /// <summary>Binds to a new session's source. Sampler thread, before <c>Process()</c>.</summary>
    public void Attach(TraceLogEventSource source)
    {
        _source = source;
        _traceLog = source.TraceLog;
        _stackByTraceLogIndex.Clear();
        _frameByCodeAddress.Clear();
        Clock.Reset();
        // The events' raw timestamps are on Stopwatch's clock, as request scopes are: both map to UTC
        // through the same anchor (a live session's SessionStartTime is not set).
        WallClock.Resync();
        _nextTrimUtcTicks = WallClock.ToUtcTicks(Stopwatch.GetTimestamp()) + _trimIntervalTicks;
        _ignoring = false;
    }

    /// <summary>Unbinds from the ended session and keeps its loss count.</summary>
    public void Detach()
    {
        TraceLogEventSource? source = _source;
        _source = null;
        _traceLog = null;
        if (source is not null)
        {
            try
            {
                Volatile.Write(ref _lostBefore, _lostBefore + source.EventsLost);
            }
            catch (Exception)
            {
                // Best effort: a disposed source cannot say.
            }
        }
    }

    /// <summary>The TraceEvent callback for every event of the session.</summary>
    public void OnEvent(TraceEvent data)
    {
        if (_ignoring || data.ProviderGuid != SampleProfilerProvider)
        {
            return;
        }

        try
        {
            OnThreadSample(data);
        }
        catch (Exception ex)
        {
            _ignoring = true;
            _onFault(ex);
        }
    }

    private void OnThreadSample(TraceEvent data)
    {
        if (InjectedFault is { } injected)
        {
            InjectedFault = null;
            throw injected;
        }

#pragma warning disable CS0618 // "Discouraged", not obsolete: the raw clock is exactly what scopes are stamped with.
        long qpc = data.TimeStampQPC;
#pragma warning restore CS0618
        long timestamp = WallClock.ToUtcTicks(qpc);
        int osThreadId = data.ThreadID;
        long tick = Clock.Observe(timestamp, osThreadId);
        _seen++;

        // Decided at the instant of the tick (the event's clock is Stopwatch's), not now: the event
        // reaches us some milliseconds later, when the thread may have left or entered a scope.
        if (!_monitored.WasMonitoredAt(osThreadId, qpc, out int managedThreadId, out long requestId) && !_allThreads)
        {
            _filtered++;
            Volatile.Write(ref _latestTimestamp, qpc);
            return;
        }

        if (Volatile.Read(ref _rundownMaps) is { } rundown)
        {
            Volatile.Write(ref _rundownMaps, null);
            Maps.Merge(rundown);
            _stackByTraceLogIndex.Clear();
            _frameByCodeAddress.Clear();
        }

        ThreadActivity activity = ReadActivity(data);
        int stackId = ResolveStack(data, activity != ThreadActivity.Running);
        if (_ring.TryPush(new ThreadSample(tick, timestamp, qpc, osThreadId, managedThreadId, requestId, activity, stackId)))
        {
            _kept++;
        }

        Volatile.Write(ref _latestTimestamp, qpc);

        if (timestamp >= _nextTrimUtcTicks || _traceLog!.CallStacks.Count > MaxTraceLogStacks)
        {
            Trim(timestamp);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe ThreadActivity ReadActivity(TraceEvent data)
    {
        // The payload is one 32-bit value: 1 = external (outside managed code), 2 = managed.
        if (data.EventDataLength < sizeof(int))
        {
            return ThreadActivity.Unknown;
        }

        return *(int*)data.DataStart switch
        {
            1 => ThreadActivity.Waiting,
            2 => ThreadActivity.Running,
            _ => ThreadActivity.Unknown,
        };
    }

    private int ResolveStack(TraceEvent data, bool leafIsReturnAddress)
    {
        CallStackIndex index = data.CallStackIndex();
        if (index == CallStackIndex.Invalid)
        {
            return StackTable.EmptyStackId;
        }

        // The leaf of a thread outside managed code is a return address (its line is the call's):
        // the same TraceLog stack resolves differently for a running and a waiting thread.
        int key = ((int)index << 1) | (leafIsReturnAddress ? 1 : 0);
        if (_stackByTraceLogIndex.TryGetValue(key, out int known))
        {
            return known;
        }

        int stackId = WalkAndIntern(index, leafIsReturnAddress);
        _stackByTraceLogIndex[key] = stackId;
        return stackId;
    }

    /// <summary>Slow path: a TraceLog stack seen for the first time since the last trim.</summary>
    private int WalkAndIntern(CallStackIndex index, bool leafIsReturnAddress)
    {
        TraceLog log = _traceLog!;
        TraceCallStacks callStacks = log.CallStacks;
        int depth = callStacks.Depth(index);
        int skip = Math.Max(0, depth - _maxDepth);
        Span<int> buffer = _frameBuffer;
        int count = 0;
        if (skip > 0)
        {
            // Keep the frames nearest the root; the leaf end is marked as cut.
            buffer[count++] = StackTable.TruncatedFrameId;
            _truncated++;
        }

        for (CallStackIndex i = index; i != CallStackIndex.Invalid; i = callStacks.Caller(i))
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }

            if (count == buffer.Length)
            {
                break;
            }

            buffer[count++] = ResolveFrame(log, callStacks.CodeAddressIndex(i), i != index || leafIsReturnAddress);
        }

        int stackId = _stacks.InternStackLeafFirst(buffer[..count]);
        if (stackId == StackTable.FullStackId)
        {
            _tableFull++;
        }

        return stackId;
    }

    private int ResolveFrame(TraceLog log, CodeAddressIndex address, bool isReturnAddress)
    {
        int key = ((int)address << 1) | (isReturnAddress ? 1 : 0);
        if (_frameByCodeAddress.TryGetValue(key, out int frameId))
        {
            return frameId;
        }

        TraceCodeAddresses addresses = log.CodeAddresses;
        MethodIndex method = addresses.MethodIndex(address);
        ModuleFileIndex moduleIndex = addresses.ModuleFileIndex(address);
        string module = moduleIndex == ModuleFileIndex.Invalid ? string.Empty : log.ModuleFiles[moduleIndex].Name;
        if (method == MethodIndex.Invalid)
        {
            frameId = StackTable.NativeFrameId;
        }
        else
        {
            string name = addresses.Methods.FullMethodName(method);
            if (string.IsNullOrEmpty(name))
            {
                frameId = StackTable.NativeFrameId;
            }
            else
            {
                // In-memory only (no symbol I/O here): the writer turns the IL offset into file:line.
                (string? path, int token, int il) = TraceLogFrames.Locate(log, Maps, address, method, isReturnAddress);
                frameId = _stacks.InternFrameAt(module, name, path, token, il);
            }
        }

        _frameByCodeAddress[key] = frameId;
        return frameId;
    }

    private void Trim(long now)
    {
        _nextTrimUtcTicks = now + _trimIntervalTicks;
        _traceLog!.TrimLiveSessionState();

        // A trim re-issues TraceLog's indexes: anything keyed on them would now resolve wrongly.
        _stackByTraceLogIndex.Clear();
        _frameByCodeAddress.Clear();
        _trims++;
    }
}

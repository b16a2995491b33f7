using Microsoft.Extensions.Logging;
using StatProf.Sampler.Internal;

namespace StatProf.Sampler;

/// <summary>
/// Samples the stacks of this process's threads through the runtime's own sampler (an EventPipe
/// session on the process itself), keeps the samples of monitored threads (or all threads) in a
/// bounded ring, and interns their stacks.
/// </summary>
/// <remarks>
/// <para>Nothing runs until <see cref="Start"/>: an idle sampler costs nothing. While it runs, one
/// thread ("StatProf sampler") reads the session; the runtime pauses every managed thread at each
/// tick (1 ms by default, see <see cref="MeasuredTickInterval"/>) to walk their stacks.</para>
/// <para>It never throws into the host once started: a fault in the reader stops sampling, releases
/// the session, and is reported to <see cref="SamplerOptions.OnFault"/> and the logger.
/// <see cref="Start"/> and <see cref="Stop"/> may be called again any number of times.</para>
/// </remarks>
public sealed class StackSampler : IDisposable
{
    private readonly SamplerOptions _options;
    private readonly SampleRing _ring;
    private readonly SampleProcessor _processor;
    private readonly object _lifecycle = new();
    private SamplingSession? _session;
    private long _sessions;
    private long _faults;
    private bool _disposed;

    /// <summary>Creates a stopped sampler; its ring is allocated now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public StackSampler(SamplerOptions? options = null)
    {
        _options = (options ?? new SamplerOptions()).Validated();
        _ring = new SampleRing(_options.RingCapacity, _options.OverflowMode);
        Stacks = new StackTable(_options.MaxDistinctStacks);
        _processor = new SampleProcessor(_ring, Stacks, MonitoredThreads, _options, OnReaderFault);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The threads kept in <see cref="SamplingMode.MonitoredThreads"/> mode.</summary>
    public MonitoredThreads MonitoredThreads { get; } = new();

    /// <summary>The interned frames and stacks that samples refer to.</summary>
    public StackTable Stacks { get; }

    /// <summary>True while a session runs.</summary>
    public bool IsRunning => Volatile.Read(ref _session) is not null;

    /// <summary>Slots in the ring (the requested capacity rounded up to a power of two).</summary>
    public int RingCapacity => _ring.Capacity;

    /// <summary>Samples waiting in the ring.</summary>
    public int PendingSamples => _ring.Count;

    /// <summary>
    /// The median interval between the runtime's ticks over the last 128 ticks of the current (or
    /// last) session; null before two ticks were seen.
    /// </summary>
    public TimeSpan? MeasuredTickInterval => _processor.Clock.MedianInterval;

    /// <summary>
    /// The tick this process was started with: <c>DOTNET_EventPipeThreadSamplingRate</c> read as
    /// hexadecimal milliseconds, or the runtime's default of 1 ms when it is unset. The runtime reads
    /// the variable once at process start; <see cref="MeasuredTickInterval"/> says what it achieves.
    /// </summary>
    public static TimeSpan ConfiguredTickInterval { get; } =
        DiagnosticsAvailability.ConfiguredTick(Environment.GetEnvironmentVariable) ?? TimeSpan.FromMilliseconds(1);

    /// <summary>Time the last <see cref="Start"/> took to open the EventPipe session.</summary>
    public TimeSpan LastSessionStartLatency { get; private set; }

    /// <summary>Time the last <see cref="Start"/> took for the rundown that makes method names resolvable.</summary>
    public TimeSpan LastRundownLatency { get; private set; }

    /// <summary>The last fault that stopped sampling, if any.</summary>
    public Exception? LastFault { get; private set; }

    /// <summary>
    /// Starts sampling. Returns once the session runs and method names resolve (a few hundred ms).
    /// Does nothing when already running.
    /// </summary>
    /// <exception cref="SamplerUnavailableException">
    /// The runtime's diagnostics cannot be used here; the message says why and how to fix it.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The sampler was disposed.</exception>
    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is not null)
            {
                return;
            }

            // Before the first sample can exist: from now on scopes record precise exit instants.
            MonitoredThreads.SessionActive = true;
            SamplingSession session;
            try
            {
                session = SamplingSession.Start(_processor, _options, OnReaderFault);
            }
            catch
            {
                MonitoredThreads.SessionActive = false;
                throw;
            }

            LastSessionStartLatency = session.SessionStartLatency;
            LastRundownLatency = session.RundownLatency;
            _sessions++;
            Volatile.Write(ref _session, session);
            _options.Logger?.LogSamplerStarted(_options.Mode, session.SessionStartLatency, session.RundownLatency);
        }
    }

    /// <summary>
    /// Stops sampling and releases the session. Returns within <see cref="SamplerOptions.StopTimeout"/>
    /// (plus a few hundred ms), even under load. Samples already in the ring stay readable. Never throws.
    /// </summary>
    public void Stop()
    {
        lock (_lifecycle)
        {
            StopCore();
        }
    }

    /// <summary>Moves up to <paramref name="destination"/>.Length samples out of the ring, oldest first.</summary>
    /// <returns>The number of samples written.</returns>
    public int Drain(Span<ThreadSample> destination) => _ring.Drain(destination);

    /// <summary>A snapshot of the counters, cumulative over all sessions.</summary>
    public SamplerCounters GetCounters() => new()
    {
        Ticks = _processor.Clock.Tick,
        SamplesSeen = _processor.Seen,
        SamplesKept = _processor.Kept,
        SamplesFilteredOut = _processor.Filtered,
        DroppedByOverflow = _ring.Dropped,
        LostByRuntime = _processor.LostByRuntime,
        TruncatedStacks = _processor.Truncated,
        StackTableFull = _processor.TableFull,
        Trims = _processor.Trims,
        Sessions = Interlocked.Read(ref _sessions),
        Faults = Interlocked.Read(ref _faults),
    };

    /// <summary>Stops sampling (bounded) and releases everything. Never throws.</summary>
    public void Dispose()
    {
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            StopCore();
        }
    }

    /// <summary>
    /// The instant (Stopwatch clock) of the latest tick processed: every sample taken before it is
    /// already in the ring. 0 before the first tick.
    /// </summary>
    internal long LatestTickTimestamp => _processor.LatestTimestamp;

    /// <summary>Test hook: the running session.</summary>
    internal SamplingSession? CurrentSession => Volatile.Read(ref _session);

    /// <summary>Test hook: the per-sample processor (fault injection).</summary>
    internal SampleProcessor Processor => _processor;

    private void StopCore()
    {
        SamplingSession? session = _session;
        if (session is null)
        {
            return;
        }

        Volatile.Write(ref _session, null);
        session.Stop(_options.StopTimeout, _options.Logger);
        session.Dispose();
        MonitoredThreads.SessionActive = false; // the reader is done: no sample will be filtered any more
        _options.Logger?.LogSamplerStopped(GetCounters());
    }

    private void OnReaderFault(Exception fault)
    {
        // Runs on the sampler thread: stopping the session from here would wait for this very
        // thread, so the stop happens on a thread of its own.
        var stopper = new Thread(() =>
        {
            lock (_lifecycle)
            {
                Interlocked.Increment(ref _faults);
                LastFault = fault;
                StopCore();
            }

            try
            {
                _options.Logger?.LogSamplerFault(fault);
            }
            catch (Exception)
            {
                // A failing logger must not take the host down either.
            }

            try
            {
                _options.OnFault?.Invoke(fault);
            }
            catch (Exception)
            {
                // Documented: exceptions thrown by the callback are swallowed.
            }
        })
        { IsBackground = true, Name = "StatProf fault handler" };
        stopper.Start();
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();
}

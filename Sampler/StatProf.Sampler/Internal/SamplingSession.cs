using System.Diagnostics;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using StatProf.Sampler.Internal.Symbols;

namespace StatProf.Sampler.Internal;

/// <summary>
/// One EventPipe session on the current process and the one sampler thread that reads it.
/// Created by <see cref="StackSampler.Start"/>, ended by <see cref="Stop"/>; never reused.
/// </summary>
internal sealed class SamplingSession : IDisposable
{
    private readonly DiagnosticsClient _client;
    private readonly EventPipeSession _session;
    private readonly SampleProcessor _processor;
    private readonly Action<Exception> _onReaderFault;
    private readonly ManualResetEventSlim _ready = new();
    private readonly ManualResetEventSlim _ended = new();
    private readonly Thread _thread;
    private readonly bool _sourceLines;
    private TraceLogEventSource? _source;
    private Exception? _startError;
    private volatile string _phase = "in the method rundown or before the first event";
    private volatile bool _stopRequested;

    private SamplingSession(DiagnosticsClient client, EventPipeSession session, SampleProcessor processor, Action<Exception> onReaderFault, bool sourceLines)
    {
        _sourceLines = sourceLines;
        _client = client;
        _session = session;
        _processor = processor;
        _onReaderFault = onReaderFault;
        _thread = new Thread(Run) { IsBackground = true, Name = "StatProf sampler" };
    }

    /// <summary>Time to open the EventPipe session.</summary>
    public TimeSpan SessionStartLatency { get; private init; }

    /// <summary>Time for the rundown that makes already-jitted methods resolvable.</summary>
    public TimeSpan RundownLatency { get; private set; }

    /// <summary>True when the rundown of IL-to-native maps completed (source lines for code jitted before the session).</summary>
    public bool MapsRundownOk { get; private set; } // written by the rundown thread once

    /// <summary>The sampler thread's managed id (tests check it ends).</summary>
    public Thread Thread => _thread;

    /// <summary>Test hook: the raw session, to end it under the reader.</summary>
    internal EventPipeSession EventPipeSession => _session;

    /// <summary>
    /// Opens the session and starts the sampler thread; returns once names resolve and samples flow.
    /// Throws <see cref="SamplerUnavailableException"/> with a one-line reason when it cannot.
    /// </summary>
    public static SamplingSession Start(SampleProcessor processor, SamplerOptions options, Action<Exception> onReaderFault)
    {
        if (DiagnosticsAvailability.DisabledReason(Environment.GetEnvironmentVariable) is { } reason)
        {
            throw new SamplerUnavailableException(reason);
        }

        var clock = Stopwatch.StartNew();
        var client = new DiagnosticsClient(Environment.ProcessId);
        EventPipeSession session;
        try
        {
            session = client.StartEventPipeSession(Providers(options.SourceLines), requestRundown: false, options.CircularBufferMegabytes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new SamplerUnavailableException(DiagnosticsAvailability.Unreachable(ex), ex);
        }

        var result = new SamplingSession(client, session, processor, onReaderFault, options.SourceLines) { SessionStartLatency = clock.Elapsed };
        result._thread.Start();
        bool ready = result._ready.Wait(options.StartTimeout);
        string phase = result._phase; // before the stop below lets the reader move on
        if (!ready || result._startError is not null)
        {
            result.Stop(options.StopTimeout, logger: null);
            result.Dispose();
            string why = ready
                ? DiagnosticsAvailability.Unreachable(result._startError!)
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"StatProf cannot sample: the runtime's sampling session did not start within {options.StartTimeout.TotalSeconds:0.###} s (opened in {result.SessionStartLatency.TotalSeconds:0.###} s, then stuck {phase}).");
            throw new SamplerUnavailableException(why, result._startError ?? new TimeoutException(why));
        }

        return result;
    }

    private static EventPipeProvider[] Providers(bool sourceLines) =>
    [
        new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),

        // Method names (and, for source lines, IL-to-native maps) of code jitted or loaded while the
        // session runs (the rundowns cover the rest).
        new("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader
            | (sourceLines ? ClrTraceEventParser.Keywords.JittedMethodILToNativeMap : ClrTraceEventParser.Keywords.None))),
    ];

    /// <summary>How long the reader waits for the maps rundown before it starts sampling without them.</summary>
    private static readonly TimeSpan MapsWait = TimeSpan.FromSeconds(2);

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        try
        {
            // Blocks until the rundown is read and the first event arrives (diagnostics#1060):
            // Stop() ends the stream, which unblocks it if it never comes.
            var source = TraceLog.CreateFromEventPipeSession(_session, TraceLog.EventPipeRundownConfiguration.Enable(_client));
            _source = source;
            _phase = "attaching the reader";
            _processor.Attach(source);
            if (_sourceLines)
            {
                source.Clr.MethodLoadVerbose += _processor.Maps.OnMethodLoad;
                source.Clr.MethodILToNativeMap += _processor.Maps.OnLiveMap;

                // Maps of code jitted before the session, collected by a second, short session. The
                // reader waits for them (at most MapsWait) before it processes its first sample, so a
                // slow request's first dump already has its lines and the same stack seen again is
                // the same stack (a dump without lines, then one with, would look like a change).
                // Past MapsWait sampling goes on without them; they are applied when they land.
                var rundown = new Thread(() =>
                {
                    var maps = new NativeCodeMaps();
                    if (RundownMaps.Collect(_client, maps, TimeSpan.FromSeconds(10)) && !_stopRequested)
                    {
                        MapsRundownOk = true;
                        _processor.OfferRundown(maps);
                    }
                })
                { IsBackground = true, Name = "StatProf rundown maps" };
                _phase = "waiting for the IL-to-native maps";
                rundown.Start();
                rundown.Join(MapsWait);
            }

            source.AllEvents += _processor.OnEvent;
            RundownLatency = clock.Elapsed;
        }
        catch (Exception ex)
        {
            _startError = ex;
            _ready.Set();
            _ended.Set();
            return;
        }

        _ready.Set();
        try
        {
            _source.Process();
            if (!_stopRequested)
            {
                Fault(new InvalidOperationException("The runtime ended the sampling session (its EventPipe stream closed)."));
            }
        }
        catch (Exception ex)
        {
            if (!_stopRequested)
            {
                Fault(ex);
            }
        }
        finally
        {
            _processor.Ignoring = true;
            _processor.Detach();
            _ended.Set();
        }
    }

    private void Fault(Exception ex)
    {
        _processor.Ignoring = true;
        _onReaderFault(ex);
    }

    /// <summary>
    /// Ends the session and waits, at most <paramref name="timeout"/>, for the sampler thread.
    /// Never throws. Must not run on the sampler thread.
    /// </summary>
    /// <returns>True when the sampler thread ended in time.</returns>
    public bool Stop(TimeSpan timeout, Microsoft.Extensions.Logging.ILogger? logger)
    {
        Debug.Assert(Thread.CurrentThread != _thread, "Stop must not run on the sampler thread: it would wait for itself.");
        _stopRequested = true;
        _processor.Ignoring = true; // the reader now only drains, so the runtime's flush completes fast
        var deadline = Stopwatch.StartNew();

        // EventPipeSession.Stop() waits for the runtime to flush into the stream: the reader keeps
        // reading meanwhile, so this does not deadlock (diagnostics#5628). It runs on its own thread
        // so that a runtime that never answers cannot hold us past the timeout.
        var stopper = new Thread(() =>
        {
            try
            {
                _session.Stop();
            }
            catch (Exception)
            {
                // The session may already be gone (ended under the reader): nothing left to stop.
            }
        })
        { IsBackground = true, Name = "StatProf session stop" };
        stopper.Start();

        bool ended = _ended.Wait(timeout);
        if (!ended)
        {
            // Dispose() closes the stream, which ends Process() with an error we ignore.
            try
            {
                _source?.StopProcessing();
            }
            catch (Exception)
            {
                // Best effort.
            }

            DisposeSession();
            ended = _ended.Wait(TimeSpan.FromMilliseconds(Math.Max(100, (timeout - deadline.Elapsed).TotalMilliseconds)));
            if (!ended)
            {
                logger?.LogSamplerAbandoned(timeout);
            }
        }

        DisposeSession();
        if (ended)
        {
            try
            {
                _source?.Dispose();
            }
            catch (Exception)
            {
                // Disposing a source whose stream broke may throw; nothing is held after it.
            }
        }

        stopper.Join(TimeSpan.FromMilliseconds(200));
        return ended;
    }

    /// <summary>Releases the wait handles once the sampler thread has ended (an abandoned thread keeps them).</summary>
    public void Dispose()
    {
        if (_ended.IsSet)
        {
            _ready.Dispose();
            _ended.Dispose();
        }
    }

    private void DisposeSession()
    {
        try
        {
            _session.Dispose();
        }
        catch (Exception)
        {
            // Already disposed or broken: nothing to release.
        }
    }
}

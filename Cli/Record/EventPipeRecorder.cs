using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using StatProf.Sampler.Internal.Symbols;
using StatProf.Sampler.Records;

namespace StatProf.Cli.Record;

/// <summary>
/// One EventPipe session on another process (the runtime's sample profiler, method load events and
/// a rundown), read in real time with <see cref="TraceLog"/> on a thread of its own; every thread
/// sample goes to an <see cref="ISampleSink"/>: the record file of <c>record</c>/<c>attach</c> or
/// the live window of <c>top</c>.
/// </summary>
internal sealed class EventPipeRecorder : IDisposable
{
    private static readonly Guid SampleProfilerProvider = new("3c530d44-97ae-513a-1e6d-783e8f8e03a9");

    /// <summary>How often TraceLog's live state is trimmed (it grows with every stack otherwise; DESIGN.md).</summary>
    private static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(30);

    private readonly DiagnosticsClient _client;
    private readonly EventPipeSession _session;
    private readonly ISampleSink _sink;
    private readonly int _pid;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _ended = new();
    private readonly Dictionary<int, IReadOnlyList<FrameRecord>> _stackByIndex = [];
    private readonly Dictionary<ModuleFileIndex, string> _moduleNames = [];

    // Source lines (docs/source-lines.md): the target's IL-to-native maps, and its PDBs read here.
    private NativeCodeMaps _maps = new();
    private readonly SourceLines _lines = new();
    private readonly long _anchorQpc = Stopwatch.GetTimestamp();
    private readonly DateTime _anchorUtc = DateTime.UtcNow;
    private TraceLogEventSource? _source;
    private TraceLog? _log;
    private ThreadSweep? _sweep;
    private DateTime _nextTrim;
    private long _ticks;
    private volatile bool _stopRequested;
    private long _stopTimestamp = long.MaxValue; // samples taken after the stop are left out; those before it, read late, are kept

    private EventPipeRecorder(DiagnosticsClient client, EventPipeSession session, ISampleSink sink, int pid)
    {
        _client = client;
        _session = session;
        _sink = sink;
        _pid = pid;
        _thread = new Thread(Run) { IsBackground = true, Name = "statprof reader" };
    }

    /// <summary>The reader's failure, when the stream broke for another reason than a stop or the target's exit.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Events the runtime reported lost (its buffer overflowed because the reader fell behind).</summary>
    public long EventsLost
    {
        get
        {
            try
            {
                return _source?.EventsLost ?? 0;
            }
            catch (Exception)
            {
                return 0; // the source is being torn down
            }
        }
    }

    /// <summary>Thread samples received.</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Opens the session and starts reading. The target may still be suspended (record).</summary>
    /// <exception cref="RecordFailure">The session could not be opened.</exception>
    public static EventPipeRecorder Start(DiagnosticsClient client, int pid, string name, ISampleSink sink)
    {
        EventPipeSession session;
        try
        {
            session = client.StartEventPipeSession(Providers, requestRundown: false, circularBufferMB: 256);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw TargetProcess.ConnectFailure(pid, name, ex);
        }

        var recorder = new EventPipeRecorder(client, session, sink, pid);
        if (sink is ThreadRecordFile file)
        {
            file.Notices = () => SourceLines.NoticeFor(recorder._lines.TakeNewModulesWithoutSymbols());
        }

        recorder._thread.Start();
        return recorder;
    }

    private static EventPipeProvider[] Providers =>
    [
        new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),

        // Method names of code jitted or loaded while the session runs (the rundown covers the rest).
        new("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader)),
    ];

    /// <summary>Waits until the stream ends (the target exited) or <paramref name="timeout"/> passes.</summary>
    public bool WaitForEnd(TimeSpan timeout) => _ended.Wait(timeout);

    /// <summary>Waits until the stream ends or <paramref name="cancel"/> is signalled.</summary>
    public bool WaitForEnd(CancellationToken cancel)
    {
        try
        {
            _ended.Wait(cancel);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _ended.IsSet;
        }
    }

    /// <summary>
    /// Stops the session (the runtime flushes what it holds) and waits at most
    /// <paramref name="timeout"/> for the reader to read the samples taken before this call. Never throws.
    /// </summary>
    public void Stop(TimeSpan timeout)
    {
        Volatile.Write(ref _stopTimestamp, Stopwatch.GetTimestamp());
        _stopRequested = true;
        var stopper = new Thread(() =>
        {
            try
            {
                _session.Stop();
            }
            catch (Exception)
            {
                // The session may already be gone (the target exited): nothing left to stop.
            }
        })
        { IsBackground = true, Name = "statprof session stop" };
        stopper.Start();
        if (!_ended.Wait(timeout))
        {
            try
            {
                _source?.StopProcessing();
            }
            catch (Exception)
            {
                // Best effort.
            }

            try
            {
                _session.Dispose();
            }
            catch (Exception)
            {
                // Already broken.
            }

            _ended.Wait(TimeSpan.FromSeconds(2));
        }

        stopper.Join(TimeSpan.FromMilliseconds(500));
    }

    /// <summary>Releases the wait handle once the reader has ended.</summary>
    public void Dispose()
    {
        if (_ended.IsSet)
        {
            _ended.Dispose();
            _lines.Dispose();
            _firstMaps.Dispose();
            _rundownWanted.Dispose();
        }
    }

    private void Run()
    {
        try
        {
            var source = TraceLog.CreateFromEventPipeSession(_session, TraceLog.EventPipeRundownConfiguration.Enable(_client));
            _source = source;
            _log = source.TraceLog;
            StartMapsRundown();
            source.AllEvents += OnEvent;
            source.Process();
        }
        catch (Exception ex)
        {
            if (!_stopRequested && !TargetProcess.DiesWithin(_pid, TimeSpan.FromSeconds(3)))
            {
                Fault = ex;
            }
        }
        finally
        {
            try
            {
                _session.Dispose();
            }
            catch (Exception)
            {
                // Already closed by the target's exit.
            }

            _ended.Set();
        }
    }

    /// <summary>
    /// The target's IL-to-native maps, from a rundown beside the reader: at the start, then again
    /// as soon as a frame of a module with symbols falls in code no map covers (a body jitted since,
    /// such as a method's tier-1 or OSR code: at most one rundown a <see cref="MinRundownGap"/>, each
    /// address asks once), and every <see cref="MapsRundownInterval"/>. Not the live map events: in
    /// the session they made its stream fill while TraceLog ran its own rundown, and a target exiting
    /// then hung in its shutdown (measured with a 3 s target on a loaded machine).
    /// </summary>
    private void StartMapsRundown()
    {
        var thread = new Thread(() =>
        {
            try
            {
                while (!_stopRequested && !_ended.IsSet)
                {
                    var maps = new NativeCodeMaps();
                    if (RundownMaps.Collect(_client, maps, TimeSpan.FromSeconds(10)))
                    {
                        Volatile.Write(ref _rundownMaps, maps);
                    }

                    _firstMaps.Set();
                    if (_ended.Wait(MinRundownGap))
                    {
                        break;
                    }

                    WaitHandle.WaitAny([_ended.WaitHandle, _rundownWanted], MapsRundownInterval - MinRundownGap);
                }
            }
            catch (ObjectDisposedException)
            {
                // The recorder was disposed: recording is over.
            }
            finally
            {
                try
                {
                    _firstMaps.Set(); // a reader still waiting for the first maps waits no longer
                }
                catch (ObjectDisposedException)
                {
                    // Disposed: nobody waits.
                }
            }
        })
        { IsBackground = true, Name = "statprof rundown maps" };
        thread.Start();
    }

    /// <summary>How often the maps rundown is repeated while recording, when no frame asks for one sooner.</summary>
    private static readonly TimeSpan MapsRundownInterval = TimeSpan.FromSeconds(5);

    /// <summary>The least time between two maps rundowns (each makes the target's runtime enumerate every code body with its map: 0.1–0.5 s end to end, measured).</summary>
    private static readonly TimeSpan MinRundownGap = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the reader waits for the first maps before it resolves its first sample.</summary>
    private static readonly TimeSpan FirstMapsWait = TimeSpan.FromSeconds(2);

    /// <summary>Unmapped code addresses that already asked for a rundown (bounded; cleared past the bound).</summary>
    private const int MaxUnmappedAsked = 100_000;

    private readonly ManualResetEventSlim _firstMaps = new();
    private readonly AutoResetEvent _rundownWanted = new(false);
    private readonly HashSet<ulong> _unmappedAsked = [];
    private NativeCodeMaps? _rundownMaps;
    private bool _waitedForFirstMaps;

    private void OnEvent(TraceEvent data)
    {
        if (!_waitedForFirstMaps && data.ProviderGuid == SampleProfilerProvider)
        {
            // The first samples wait for the first maps (like the in-process session), so that a
            // recording does not open with stacks that have no lines: events queue in the session's
            // buffer meanwhile. Past the wait, samples go on without lines until the maps land.
            _waitedForFirstMaps = true;
            _firstMaps.Wait(FirstMapsWait);
        }

        if (Volatile.Read(ref _rundownMaps) is { } rundown)
        {
            Volatile.Write(ref _rundownMaps, null);
            _maps = rundown; // every body of the target now, older ones included
            _stackByIndex.Clear(); // stacks resolved without these maps may have had no lines
        }

        if (data.ProviderGuid != SampleProfilerProvider)
        {
            return;
        }

#pragma warning disable CS0618 // "Discouraged", not obsolete: QPC is the monotonic clock shared by both processes.
        long qpc = data.TimeStampQPC;
#pragma warning restore CS0618
        if (qpc > Volatile.Read(ref _stopTimestamp))
        {
            return; // taken after the stop (the reader can be seconds behind on a loaded machine: what came before is kept)
        }

        DateTime time = _anchorUtc.AddTicks((long)((qpc - _anchorQpc) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        Interlocked.Increment(ref _ticks);
        DumpState state = ReadState(data);
        IReadOnlyList<FrameRecord> frames = Resolve(data, leafIsReturnAddress: state != DumpState.Running);
        _sink.OnSample(time, data.ThreadID, state, frames);

        _sweep ??= new ThreadSweep(SweepAge);
        if (_sweep.OnSample(time) is { } vanishedBefore)
        {
            _sink.EndVanished(vanishedBefore);
        }

        if (time >= _nextTrim)
        {
            _nextTrim = time + TrimInterval;
            _log!.TrimLiveSessionState();
            _stackByIndex.Clear(); // a trim re-issues TraceLog's indexes
            _moduleNames.Clear();
        }
    }

    /// <summary>How long a thread may go unsampled, while ticks go on, before it is taken as ended (<see cref="ThreadSweep"/>).</summary>
    public TimeSpan SweepAge { get; init; } = TimeSpan.FromSeconds(1);

    private static DumpState ReadState(TraceEvent data)
    {
        // The payload is one 32-bit value: 1 = external (outside managed code), 2 = managed.
        if (data.EventDataLength >= sizeof(int) && System.Runtime.InteropServices.Marshal.ReadInt32(data.DataStart) == 2)
        {
            return DumpState.Running;
        }

        return DumpState.Waiting;
    }

    private IReadOnlyList<FrameRecord> Resolve(TraceEvent data, bool leafIsReturnAddress)
    {
        CallStackIndex index = data.CallStackIndex();
        if (index == CallStackIndex.Invalid)
        {
            return [];
        }

        // A waiting thread's leaf is a return address too (its line is the call's): keyed apart.
        int key = ((int)index << 1) | (leafIsReturnAddress ? 1 : 0);
        if (_stackByIndex.TryGetValue(key, out IReadOnlyList<FrameRecord>? known))
        {
            return known;
        }

        TraceLog log = _log!;
        TraceCallStacks stacks = log.CallStacks;
        TraceCodeAddresses addresses = log.CodeAddresses;
        var leafFirst = new List<FrameRecord>();
        for (CallStackIndex i = index; i != CallStackIndex.Invalid; i = stacks.Caller(i))
        {
            CodeAddressIndex address = stacks.CodeAddressIndex(i);
            MethodIndex method = addresses.MethodIndex(address);
            ModuleFileIndex moduleIndex = addresses.ModuleFileIndex(address);
            string module = ModuleName(log, moduleIndex);
            string name = method == MethodIndex.Invalid ? string.Empty : addresses.Methods.FullMethodName(method);
            if (string.IsNullOrEmpty(name))
            {
                name = "[native code]";
                if (leafFirst.Count > 0 && leafFirst[^1].Name == name)
                {
                    continue; // one frame for a run of native frames
                }
            }

            (string? path, int token, int il) = TraceLogFrames.Locate(log, _maps, address, method, isReturnAddress: i != index || leafIsReturnAddress);
            if (il < 0 && token != 0)
            {
                AskForMaps(addresses.Address(address), path);
            }

            SourceLocation? at = _lines.Resolve(path, token, il); // cached per (method, offset); a PDB is opened once
            leafFirst.Add(new FrameRecord(name, module, at?.File, at?.Line ?? 0));
        }

        leafFirst.Reverse();
        _stackByIndex[key] = leafFirst;
        return leafFirst;
    }

    /// <summary>
    /// A managed frame whose code no map covers: code jitted after the last rundown when its module
    /// has symbols (its lines are wanted), so the rundown thread runs the next one now. Each address
    /// asks once: code that no rundown maps (precompiled ReadyToRun code) does not keep asking.
    /// </summary>
    private void AskForMaps(ulong address, string? modulePath)
    {
        if (_unmappedAsked.Count >= MaxUnmappedAsked)
        {
            _unmappedAsked.Clear();
        }

        if (_unmappedAsked.Add(address) && _lines.HasSymbols(modulePath))
        {
            try
            {
                _rundownWanted.Set();
            }
            catch (ObjectDisposedException)
            {
                // Recording is over.
            }
        }
    }

    /// <summary>
    /// A module's name as its file is named on disk (TraceLog may hand out its path lower-cased:
    /// <see cref="SourceLines.OnDisk"/>), cached per module; cleared with the stacks at a trim.
    /// </summary>
    private string ModuleName(TraceLog log, ModuleFileIndex index)
    {
        if (index == ModuleFileIndex.Invalid)
        {
            return string.Empty;
        }

        if (!_moduleNames.TryGetValue(index, out string? name))
        {
            TraceModuleFile file = log.ModuleFiles[index];
            name = string.IsNullOrEmpty(file.FilePath) ? file.Name : Path.GetFileNameWithoutExtension(SourceLines.OnDisk(file.FilePath));
            _moduleNames[index] = name;
        }

        return name;
    }

    /// <summary>The OS name of a thread of the target (Linux: .NET sets it from <c>Thread.Name</c>, 15 characters at most).</summary>
    public static string ThreadName(int pid, int osThreadId)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task/{osThreadId.ToString(CultureInfo.InvariantCulture)}/comm").Trim();
        }
        catch (Exception)
        {
            return string.Empty;
        }
    }
}

using BenchmarkDotNet.Attributes;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using StatProf.Sampler;
using StatProf.Sampler.Internal;

namespace StatProf.Benchmarks.Sampler.Internal.Symbols;

/// <summary>
/// The effect of source lines on the sampler thread (<see cref="SamplerOptions.SourceLines"/> on
/// vs off): real thread samples of this process (<see cref="SelfTrace"/>) replayed through a
/// <see cref="SampleProcessor"/> whose IL-to-native maps cover every code body of the recording
/// (on) or none (off), per thread sample. <see cref="ReplayCold"/> is a processor that has seen no
/// stack yet (every frame new: the native → IL lookup and, with lines, more distinct frames — one
/// per IL offset — to intern); <see cref="ReplayWarm"/> is the steady state (every stack known).
/// </summary>
/// <remarks>
/// The maps are synthetic (one entry every 16 bytes of each body, as <see cref="SourceLinesBenchmarks"/>):
/// the recording has the bodies' addresses and sizes but not the runtime's maps; 16 bytes is finer
/// than a tier-1 map, so the "on" case interns at least as many frames as a real session. Not
/// included: the map events themselves (one per method jitted while sampling), handled on the
/// same thread but per method, not per sample.
/// <para>Run it with <c>DOTNET_TieredCompilation=0</c>: otherwise the first case measured pays for
/// the processor's code being promoted from tier 0 while it runs (2–3 µs a sample instead of 0.5,
/// whichever case comes first: measured), which swamps the difference looked for.</para>
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(1, 1)]
public class SourceLinesSamplerBenchmarks
{
    private const int SamplesPerReplay = 4096;

    private string _etlx = null!;
    private string? _ownedFolder;
    private TraceLog _log = null!;
    private TraceEvents _window = null!;
    private List<(ulong Start, int Size)> _bodies = [];
    private SampleRing _ring = null!;
    private StackTable _stacks = null!;
    private SampleProcessor _processor = null!;
    private TraceLogEventSource _source = null!;
    private ThreadSample[] _drainBuffer = null!;
    private Exception? _fault;

    /// <summary>Source lines on (maps for every body) or off (no maps: every frame's IL offset is unknown).</summary>
    [Params(false, true)]
    public bool SourceLines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _log = SelfTrace.OpenAsTraceLog("statprof-benchmarks-lines", out _ownedFolder, out _etlx);
        _drainBuffer = new ThreadSample[4096];

        // Every code body the recording names: methods jitted while it ran, and the rundown's.
        var seen = new HashSet<ulong>();
        foreach (TraceEvent data in _log.Events)
        {
            if (data is MethodLoadUnloadVerboseTraceData method && method.MethodSize > 0 && seen.Add(method.MethodStartAddress))
            {
                _bodies.Add((method.MethodStartAddress, method.MethodSize));
            }
        }

        (double start, double end) = SampleProcessorBenchmarks.SampleWindow(_log, SamplesPerReplay);
        _window = _log.Events.FilterByTime(start, end);
    }

    [IterationSetup(Target = nameof(ReplayCold))]
    public void SetupCold() => NewProcessor();

    [IterationSetup(Target = nameof(ReplayWarm))]
    public void SetupWarm()
    {
        NewProcessor();
        TraceLogEventSource warmUp = _window.GetSource();
        warmUp.AllEvents += _processor.OnEvent;
        warmUp.Process();
        Drain();
    }

    [IterationCleanup]
    public void CheckIteration()
    {
        Drain();
        if (_fault is not null)
        {
            throw new InvalidOperationException("The processor faulted during the benchmark.", _fault);
        }

        if (_ring.Dropped != 0 || _processor.Kept != _processor.Seen || _processor.Seen % SamplesPerReplay != 0)
        {
            throw new InvalidOperationException($"Samples were lost or replays cut: seen {_processor.Seen}, kept {_processor.Kept}, dropped {_ring.Dropped}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// source lines {(SourceLines ? "on" : "off")}: {_bodies.Count} code bodies mapped {(SourceLines ? "(all)" : "(none)")}; last processor interned {_stacks.StackCount} stacks, {_stacks.FrameCount} frames from {SamplesPerReplay} thread samples");
        _log.Dispose();
        File.Delete(_etlx);
        if (_ownedFolder is not null)
        {
            Directory.Delete(_ownedFolder, recursive: true);
        }
    }

    /// <summary>A processor that has seen no stack: every frame of the window is new.</summary>
    [Benchmark(OperationsPerInvoke = SamplesPerReplay)]
    public bool ReplayCold() => _source.Process();

    /// <summary>The steady state: every stack of the window was seen (one replay before).</summary>
    [Benchmark(OperationsPerInvoke = SamplesPerReplay)]
    public bool ReplayWarm() => _source.Process();

    private void NewProcessor()
    {
        var options = new SamplerOptions { Mode = SamplingMode.AllThreads, TrimInterval = TimeSpan.FromDays(1), SourceLines = SourceLines };
        _ring = new SampleRing(SamplesPerReplay * 2, RingOverflowMode.DropOldest);
        _stacks = new StackTable(options.MaxDistinctStacks);
        _processor = new SampleProcessor(_ring, _stacks, new MonitoredThreads(), options, ex => _fault = ex);
        if (SourceLines)
        {
            foreach ((ulong start, int size) in _bodies)
            {
                int entries = Math.Max(1, size / 16);
                _processor.Maps.AddBody(start, size, [.. Enumerable.Range(0, entries).Select(i => i * 16)], [.. Enumerable.Range(0, entries).Select(i => i * 3)]);
            }
        }

        _source = _window.GetSource();
        _processor.Attach(_source);
        _source.AllEvents += _processor.OnEvent;
    }

    private void Drain()
    {
        while (_ring.Drain(_drainBuffer) > 0)
        {
        }
    }
}

using BenchmarkDotNet.Attributes;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using StatProf.Sampler;
using StatProf.Sampler.Internal;

namespace StatProf.Benchmarks.Sampler.Internal;

/// <summary>
/// The sampler thread's work per thread sample, from the runtime's event to the ring, on real events:
/// a <c>.nettrace</c> of this very process (see <see cref="SelfTrace"/>), converted once to a
/// TraceLog, is replayed through <see cref="SampleProcessor.OnEvent"/>, and through an empty
/// callback as the baseline. The difference of the two is the processor's cost per sample;
/// <see cref="ReplayResolvingStackOnly"/> shows how much of it is TraceLog's stack lookup.
/// </summary>
/// <remarks>
/// <para>Each invocation replays a window of the recording that holds exactly
/// <see cref="SamplesPerReplay"/> thread samples (with the JIT and loader events that fall in it),
/// so the figures are per thread sample. The processor is warmed by one replay first: every stack
/// is then known, the steady state of a long session. The ring is drained between iterations,
/// outside the measurement, and is large enough never to overflow.</para>
/// <para>Not included: the work TraceLog itself does for each event in a live session (parsing,
/// building its call stacks); that cost is spent before the callback runs.</para>
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(InvocationsPerIteration, 1)]
public class SampleProcessorBenchmarks
{
    private const int SamplesPerReplay = 4096;
    private const int InvocationsPerIteration = 128;

    private string _etlx = null!;
    private string? _ownedFolder;
    private TraceLog _log = null!;
    private SampleRing _ring = null!;
    private StackTable _stacks = null!;
    private SampleProcessor _processor = null!;
    private TraceLogEventSource _source = null!;
    private ThreadSample[] _drainBuffer = null!;
    private Exception? _fault;
    private int _eventsPerReplay;
    private long _stackIndexSum;

    [GlobalSetup(Target = nameof(ReplayEmptyCallback))]
    public void SetupBaseline()
    {
        Prepare();
        _source.AllEvents += static _ => { };
    }

    [GlobalSetup(Target = nameof(ReplayThroughProcessor))]
    public void SetupProcessor()
    {
        Prepare();
        _source.AllEvents += _processor.OnEvent;
    }

    [GlobalSetup(Target = nameof(ReplayResolvingStackOnly))]
    public void SetupStackOnly()
    {
        Prepare();
        _source.AllEvents += data =>
        {
            if (data.ProviderGuid == SampleProcessor.SampleProfilerProvider)
            {
                _stackIndexSum += (int)data.CallStackIndex();
            }
        };
    }

    [IterationCleanup]
    public void DrainAfterIteration()
    {
        while (_ring.Drain(_drainBuffer) > 0)
        {
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            if (_fault is not null)
            {
                throw new InvalidOperationException("The processor faulted during the benchmark.", _fault);
            }

            if (_ring.Dropped != 0 || _processor.Kept != _processor.Seen || _processor.Seen % SamplesPerReplay != 0)
            {
                throw new InvalidOperationException($"Samples were lost or replays cut: seen {_processor.Seen}, kept {_processor.Kept}, dropped {_ring.Dropped}.");
            }

            Console.WriteLine($"// processor saw {_processor.Seen} thread samples ({_processor.Seen / SamplesPerReplay} replays); stack index checksum {_stackIndexSum}");
        }
        finally
        {
            _log.Dispose();
            File.Delete(_etlx);
            if (_ownedFolder is not null)
            {
                Directory.Delete(_ownedFolder, recursive: true);
            }
        }
    }

    /// <summary>Baseline: TraceLog dispatches the window's events to an empty callback.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SamplesPerReplay)]
    public bool ReplayEmptyCallback() => _source.Process();

    /// <summary>
    /// Part of the processor's cost that is TraceLog's: the callback only looks up each sample's
    /// TraceLog stack index (<c>CallStackIndex()</c>), as <see cref="SampleProcessor.OnEvent"/> does first.
    /// </summary>
    [Benchmark(OperationsPerInvoke = SamplesPerReplay)]
    public bool ReplayResolvingStackOnly() => _source.Process();

    /// <summary>TraceLog dispatches the window's events to <see cref="SampleProcessor.OnEvent"/>.</summary>
    [Benchmark(OperationsPerInvoke = SamplesPerReplay)]
    public bool ReplayThroughProcessor() => _source.Process();

    private void Prepare()
    {
        _log = SelfTrace.OpenAsTraceLog("statprof-benchmarks", out _ownedFolder, out _etlx);
        try
        {
            (double start, double end) = SampleWindow(_log, SamplesPerReplay);
            TraceEvents window = _log.Events.FilterByTime(start, end);

            var options = new SamplerOptions { Mode = SamplingMode.AllThreads, TrimInterval = TimeSpan.FromDays(1) };
            _ring = new SampleRing(SamplesPerReplay * InvocationsPerIteration, RingOverflowMode.DropOldest);
            _stacks = new StackTable(options.MaxDistinctStacks);
            _processor = new SampleProcessor(_ring, _stacks, new MonitoredThreads(), options, ex => _fault = ex);
            _drainBuffer = new ThreadSample[4096];

            _source = window.GetSource();
            _processor.Attach(_source);

            // Warm-up replay on a source of its own: interns every stack of the window.
            TraceLogEventSource warmUp = window.GetSource();
            warmUp.AllEvents += _processor.OnEvent;
            warmUp.AllEvents += _ => _eventsPerReplay++;
            warmUp.Process();
            DrainAfterIteration();
            Check();
            Console.WriteLine(
                $"// replay window: {_eventsPerReplay} events, {SamplesPerReplay} thread samples, " +
                $"{_log.CallStacks.Count} TraceLog stacks, {_stacks.StackCount} interned stacks, {_stacks.FrameCount} frames " +
                $"(whole recording: {_log.EventCount} events, {_log.EventsLost} lost)");
        }
        catch
        {
            // BenchmarkDotNet skips the global cleanup of a failed setup: leave no file behind.
            _log.Dispose();
            File.Delete(_etlx);
            throw;
        }
    }

    private void Check()
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException("The processor faulted on the recording.", _fault);
        }

        if (_processor.Seen != SamplesPerReplay || _processor.Kept != SamplesPerReplay)
        {
            throw new InvalidOperationException($"The window should hold {SamplesPerReplay} thread samples; the processor saw {_processor.Seen} and kept {_processor.Kept}.");
        }

        // Real stacks: the workload's own frames must be found, resolved by name.
        bool found = false;
        for (int i = 0; i < _stacks.FrameCount && !found; i++)
        {
            found = _stacks.GetFrame(i).Name.Contains(nameof(TraceWorkload.Descend), StringComparison.Ordinal);
        }

        if (!found)
        {
            throw new InvalidOperationException($"No stack of the recording resolves to {nameof(TraceWorkload)}.{nameof(TraceWorkload.Descend)}.");
        }
    }

    /// <summary>
    /// A time window holding exactly <paramref name="samples"/> thread samples; its bounds fall
    /// halfway between two samples so no sample sits on a bound.
    /// </summary>
    internal static (double Start, double End) SampleWindow(TraceLog log, int samples)
    {
        var times = new List<double>();
        foreach (TraceEvent data in log.Events)
        {
            if (data.ProviderGuid == SampleProcessor.SampleProfilerProvider)
            {
                times.Add(data.TimeStampRelativeMSec);
            }
        }

        for (int first = 1; first + samples < times.Count; first++)
        {
            int last = first + samples - 1;
            if (times[first - 1] < times[first] && times[last] < times[last + 1])
            {
                return ((times[first - 1] + times[first]) / 2, (times[last] + times[last + 1]) / 2);
            }
        }

        throw new InvalidOperationException($"The recording holds {times.Count} thread samples; the benchmark needs more than {samples + 2}.");
    }
}

using BenchmarkDotNet.Attributes;
using StatProf.Sampler;
using StatProf.Sampler.Internal;

namespace StatProf.Benchmarks.Sampler.Internal;

/// <summary>
/// <see cref="SampleRing.TryPush"/> into a ring that a consumer keeps drained. Target: ≤ 20 ns and
/// 0 B a push.
/// </summary>
/// <remarks>
/// <para><see cref="Push"/>: every iteration runs a fixed number of invocations, so the ring can hold
/// a whole iteration and be emptied between iterations, outside the measurement: a push that never
/// finds the ring full, without the consumer's cost in the figure. The ring is therefore large
/// (8 M slots, some hundreds of MB) and every push writes a cold line, as in production where a push comes
/// every millisecond or so.</para>
/// <para><see cref="PushThenDrain"/>: the producer's and the consumer's work for one sample, with
/// the ring of the default size drained in batches of <see cref="Batch"/> samples.</para>
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(InvocationsPerIteration, 1)]
public class SampleRingBenchmarks
{
    internal const int Batch = 1024;
    private const int InvocationsPerIteration = 8192;

    private SampleRing _ring = null!;
    private ThreadSample[] _drainBuffer = null!;

    [GlobalSetup(Target = nameof(Push))]
    public void SetupPush() => Setup(Batch * InvocationsPerIteration);

    [GlobalSetup(Target = nameof(PushThenDrain))]
    public void SetupPushThenDrain() => Setup(new SamplerOptions().RingCapacity);

    [IterationCleanup(Target = nameof(Push))]
    public void DrainAfterIteration()
    {
        while (_ring.Drain(_drainBuffer) > 0)
        {
        }
    }

    [GlobalCleanup]
    public void CheckNothingDropped()
    {
        if (_ring.Dropped != 0)
        {
            throw new InvalidOperationException($"The ring dropped {_ring.Dropped} samples: the benchmark measured the overflow path.");
        }
    }

    /// <summary>A push into a ring with free slots.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Push() => PushBatch(_ring);

    /// <summary>A push, and its share of draining a batch of <see cref="Batch"/> samples.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int PushThenDrain()
    {
        PushBatch(_ring);
        return _ring.Drain(_drainBuffer);
    }

    internal static int PushBatch(SampleRing ring)
    {
        int accepted = 0;
        for (int i = 0; i < Batch; i++)
        {
            // Built per push, as the sampler thread does.
            if (ring.TryPush(new ThreadSample(i, 638_000_000_000_000_000L + i, i, 4242, 7, 0, ThreadActivity.Running, i & 63)))
            {
                accepted++;
            }
        }

        return accepted;
    }

    private void Setup(int capacity)
    {
        _ring = new SampleRing(capacity, RingOverflowMode.DropOldest);
        _drainBuffer = new ThreadSample[Batch];
    }
}

/// <summary>
/// <see cref="SampleRing.TryPush"/> into a full ring: the two overflow paths, each counted.
/// </summary>
[MemoryDiagnoser]
public class SampleRingOverflowBenchmarks
{
    private SampleRing _ring = null!;

    [Params(RingOverflowMode.DropOldest, RingOverflowMode.DropNewest)]
    public RingOverflowMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ring = new SampleRing(4096, Mode);
        while (_ring.Count < _ring.Capacity)
        {
            _ring.TryPush(new ThreadSample(0, 0, 0, 4242, 7, 0, ThreadActivity.Running, 1));
        }
    }

    [GlobalCleanup]
    public void CheckOverflowCounted()
    {
        if (_ring.Dropped == 0)
        {
            throw new InvalidOperationException("The full ring counted no loss: the benchmark did not measure the overflow path.");
        }
    }

    /// <summary>A push into a full ring: overwrites the oldest unread sample, or rejects the new one.</summary>
    [Benchmark(OperationsPerInvoke = SampleRingBenchmarks.Batch)]
    public int PushFull() => SampleRingBenchmarks.PushBatch(_ring);
}

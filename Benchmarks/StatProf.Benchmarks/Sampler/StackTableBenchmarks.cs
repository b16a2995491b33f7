using BenchmarkDotNet.Attributes;
using StatProf.Sampler;

namespace StatProf.Benchmarks.Sampler;

/// <summary>
/// <see cref="StackTable.InternStack"/> of a stack the table already holds: the hash, the probe
/// and the full comparison. Target: ≤ 100 ns and 0 B.
/// </summary>
/// <remarks>
/// The table holds 10 000 other stacks built from 2 000 frames, as after a while in production:
/// stacks share their root frames and the buckets are half full at worst.
/// </remarks>
[MemoryDiagnoser]
public class StackTableBenchmarks
{
    private const int OtherStacks = 10_000;
    private const int Frames = 2_000;

    private StackTable _table = null!;
    private int[] _known = null!;

    [Params(10, 30, 100)]
    public int Depth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Fixed seed: the same table and stack on every run.
        var random = new Random(20261121);
        _table = new StackTable(new SamplerOptions().MaxDistinctStacks);
        var frameIds = new int[Frames];
        for (int i = 0; i < Frames; i++)
        {
            frameIds[i] = _table.InternFrame("Shop.dll", $"Shop.Pricing.PriceCalculator.Step{i}(class Shop.Orders.OrderLine)");
        }

        int[] root = [frameIds[0], frameIds[1], frameIds[2], frameIds[3]];
        for (int s = 0; s < OtherStacks; s++)
        {
            var stack = new int[root.Length + random.Next(1, 120)];
            root.CopyTo(stack, 0);
            for (int i = root.Length; i < stack.Length; i++)
            {
                stack[i] = frameIds[random.Next(Frames)];
            }

            _table.InternStack(stack);
        }

        _known = new int[Depth];
        root.CopyTo(_known, 0);
        for (int i = root.Length; i < Depth; i++)
        {
            _known[i] = frameIds[random.Next(Frames)];
        }

        int id = _table.InternStack(_known);
        if (_table.InternStack(_known) != id || id == StackTable.FullStackId)
        {
            throw new InvalidOperationException("The known stack did not intern to one stable id.");
        }
    }

    /// <summary>Interns a stack that is already in the table.</summary>
    [Benchmark]
    public int InternKnownStack() => _table.InternStack(_known);
}

/// <summary>
/// <see cref="StackTable.InternFrame"/> of a frame the table already holds (the slow path of the
/// sampler thread: it runs once per code address between two trims, not once per sample).
/// </summary>
[MemoryDiagnoser]
public class StackTableFrameBenchmarks
{
    private StackTable _table = null!;
    private string _module = null!;
    private string _name = null!;

    [GlobalSetup]
    public void Setup()
    {
        _table = new StackTable(new SamplerOptions().MaxDistinctStacks);
        for (int i = 0; i < 2_000; i++)
        {
            _table.InternFrame("Shop.dll", $"Shop.Pricing.PriceCalculator.Step{i}(class Shop.Orders.OrderLine)");
        }

        // Equal to an interned frame but other string instances, as TraceLog hands them out.
        _module = new string("Shop.dll".AsSpan());
        _name = new string("Shop.Pricing.PriceCalculator.Step1234(class Shop.Orders.OrderLine)".AsSpan());
    }

    /// <summary>Interns a frame that is already in the table.</summary>
    [Benchmark]
    public int InternKnownFrame() => _table.InternFrame(_module, _name);
}

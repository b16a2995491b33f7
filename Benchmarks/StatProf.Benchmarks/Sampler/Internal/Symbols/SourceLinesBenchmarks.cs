using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using BenchmarkDotNet.Attributes;
using StatProf.Sampler.Internal.Symbols;

namespace StatProf.Benchmarks.Sampler.Internal.Symbols;

/// <summary>
/// The cost of source lines (docs/source-lines.md): opening a module's portable PDB, resolving a
/// distinct (method, IL offset) once, a cached resolution, and the native → IL lookup that the
/// sampler thread does once per new frame.
/// </summary>
/// <remarks>
/// The PDB is this benchmark assembly's own (next to it). Per distinct frame =
/// (<see cref="OpenAndResolveEveryMethod"/> − <see cref="OpenPdb"/>) / <see cref="Methods"/>.
/// </remarks>
[MemoryDiagnoser]
public class SourceLinesBenchmarks
{
    private readonly string _module = typeof(SourceLinesBenchmarks).Assembly.Location;
    private int[] _tokens = [];
    private SourceLines _warm = null!;
    private NativeCodeMaps _maps = null!;
    private ulong[] _addresses = [];

    /// <summary>Methods of this assembly with sequence points (one distinct frame each).</summary>
    public int Methods => _tokens.Length;

    [GlobalSetup]
    public void Setup()
    {
        using var pdb = File.OpenRead(Path.ChangeExtension(_module, ".pdb"));
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        MetadataReader reader = provider.GetMetadataReader();
        _tokens = [.. reader.MethodDebugInformation
            .Where(h => !reader.GetMethodDebugInformation(h).SequencePointsBlob.IsNil)
            .Select(h => MetadataTokens.GetToken(h.ToDefinitionHandle()))
            .Take(1000)];
        _warm = new SourceLines();
        _warm.Resolve(_module, _tokens[0], 0);

        // 10 000 code bodies of 40 map entries, as after a while in a service; fixed seed.
        var random = new Random(20261122);
        _maps = new NativeCodeMaps();
        _addresses = new ulong[1024];
        for (int b = 0; b < 10_000; b++)
        {
            ulong start = 0x7f00_0000_0000UL + ((ulong)b * 0x1000);
            int[] native = [.. Enumerable.Range(0, 40).Select(i => i * 16)];
            int[] il = [.. Enumerable.Range(0, 40).Select(i => i * 3)];
            _maps.AddBody(start, 640, native, il);
        }

        for (int i = 0; i < _addresses.Length; i++)
        {
            _addresses[i] = 0x7f00_0000_0000UL + ((ulong)random.Next(10_000) * 0x1000) + (ulong)random.Next(640);
        }

        _maps.ILOffset(_addresses[0], false); // sorts once
    }

    [GlobalCleanup]
    public void Cleanup() => _warm.Dispose();

    /// <summary>The first frame of a module: find and open its PDB.</summary>
    [Benchmark]
    public bool OpenPdb()
    {
        using var lines = new SourceLines();
        return lines.HasSymbols(_module);
    }

    /// <summary>Open the PDB, then resolve every method once (distinct frames).</summary>
    [Benchmark]
    public int OpenAndResolveEveryMethod()
    {
        using var lines = new SourceLines();
        int sum = 0;
        foreach (int token in _tokens)
        {
            sum += lines.Resolve(_module, token, 0)?.Line ?? 0;
        }

        return sum;
    }

    /// <summary>A frame resolved before: the cache.</summary>
    [Benchmark]
    public int ResolveCached() => _warm.Resolve(_module, _tokens[0], 0)?.Line ?? 0;

    /// <summary>Native address → IL offset among 10 000 bodies: the sampler thread's cost per new frame.</summary>
    [Benchmark(OperationsPerInvoke = 1024)]
    public int NativeToIL()
    {
        int sum = 0;
        foreach (ulong address in _addresses)
        {
            sum += _maps.ILOffset(address, isReturnAddress: true);
        }

        return sum;
    }
}

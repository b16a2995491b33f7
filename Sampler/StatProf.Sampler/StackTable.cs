using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StatProf.Sampler;

/// <summary>
/// Interned frames and stacks: each distinct frame and each distinct stack is stored once and named
/// by an id, so memory grows with the number of distinct stacks, not with the number of samples.
/// Stacks are stored root first. Written only by the sampler thread; readable from any thread.
/// </summary>
/// <remarks>
/// Ids are stable for the sampler's lifetime (across stop and start). The table stops growing at
/// <see cref="SamplerOptions.MaxDistinctStacks"/>: new stacks then map to <see cref="FullStackId"/>.
/// </remarks>
public sealed class StackTable
{
    /// <summary>The frame that ends a stack cut at <see cref="SamplerOptions.MaxStackDepth"/>.</summary>
    public const int TruncatedFrameId = 0;

    /// <summary>The frame of addresses that belong to no known managed method.</summary>
    public const int NativeFrameId = 1;

    /// <summary>The only frame of <see cref="FullStackId"/>.</summary>
    public const int FullFrameId = 2;

    /// <summary>The stack recorded for new stacks once the table is full.</summary>
    public const int FullStackId = 0;

    /// <summary>The stack with no frames (the runtime sent no stack for the sample).</summary>
    public const int EmptyStackId = 1;

    private readonly object _writeLock = new();
    private readonly int _maxStacks;
    private readonly int _maxFrames;

    private readonly Dictionary<FrameKey, int> _frameIds = new();
    private StackFrameInfo[] _frames = new StackFrameInfo[256];
    private int _frameCount;

    // Stacks: frame ids of all stacks, concatenated; a stack is (offset, length) into it.
    private int[] _data = new int[4096];
    private int _dataLength;
    private long[] _stackSpans = new long[1024]; // offset << 32 | length
    private int[] _stackHashes = new int[1024];
    private int _stackCount;

    // Open addressing: bucket holds stackId + 1, 0 when empty.
    private int[] _buckets = new int[2048];

    internal StackTable(int maxStacks)
    {
        _maxStacks = maxStacks;
        _maxFrames = Math.Max(1024, maxStacks);
        AddFrame(new FrameKey(string.Empty, "[truncated]", null, 0, -1));
        AddFrame(new FrameKey(string.Empty, "[native code]", null, 0, -1));
        AddFrame(new FrameKey(string.Empty, "[stack table full]", null, 0, -1));
        InternStack([FullFrameId]);
        InternStack([]);
    }

    /// <summary>Distinct stacks interned.</summary>
    public int StackCount => Volatile.Read(ref _stackCount);

    /// <summary>Distinct frames interned.</summary>
    public int FrameCount => Volatile.Read(ref _frameCount);

    /// <summary>True once <see cref="SamplerOptions.MaxDistinctStacks"/> stacks are interned.</summary>
    public bool IsFull => StackCount >= _maxStacks;

    /// <summary>The frame with this id.</summary>
    public StackFrameInfo GetFrame(int frameId)
    {
        lock (_writeLock)
        {
            if ((uint)frameId >= (uint)_frameCount) throw new ArgumentOutOfRangeException(nameof(frameId), frameId, "No such frame.");
            return _frames[frameId];
        }
    }

    /// <summary>
    /// The frame ids of a stack, root first. The span stays valid: interned data never changes.
    /// </summary>
    public ReadOnlySpan<int> GetFrameIds(int stackId)
    {
        lock (_writeLock)
        {
            if ((uint)stackId >= (uint)_stackCount) throw new ArgumentOutOfRangeException(nameof(stackId), stackId, "No such stack.");
            long span = _stackSpans[stackId];
            return new ReadOnlySpan<int>(_data, (int)(span >> 32), (int)span);
        }
    }

    /// <summary>The frames of a stack, root first (allocates; for reports, not hot paths).</summary>
    public IReadOnlyList<StackFrameInfo> GetStack(int stackId)
    {
        lock (_writeLock)
        {
            if ((uint)stackId >= (uint)_stackCount) throw new ArgumentOutOfRangeException(nameof(stackId), stackId, "No such stack.");
            long span = _stackSpans[stackId];
            var ids = new ReadOnlySpan<int>(_data, (int)(span >> 32), (int)span);
            var frames = new StackFrameInfo[ids.Length];
            for (int i = 0; i < ids.Length; i++)
            {
                frames[i] = _frames[ids[i]];
            }

            return frames;
        }
    }

    /// <summary>Interns a frame. Sampler thread only.</summary>
    internal int InternFrame(string module, string name) => InternFrameAt(module, name, null, 0, -1);

    /// <summary>Interns a frame at an IL offset of its method. Sampler thread only.</summary>
    internal int InternFrameAt(string module, string name, string? modulePath, int methodToken, int ilOffset)
    {
        var key = new FrameKey(module, name, modulePath, methodToken, ilOffset);
        if (_frameIds.TryGetValue(key, out int id))
        {
            return id;
        }

        return _frameCount >= _maxFrames ? FullFrameId : AddFrame(key);
    }

    /// <summary>
    /// Interns a stack given root first. Sampler thread only. Returns its id, or
    /// <see cref="FullStackId"/> when the stack is new and the table is full.
    /// </summary>
    internal int InternStack(ReadOnlySpan<int> rootFirstFrameIds)
    {
        int hash = Hash(rootFirstFrameIds);
        int mask = _buckets.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            int entry = _buckets[i];
            if (entry == 0)
            {
                return _stackCount >= _maxStacks ? FullStackId : AddStack(rootFirstFrameIds, hash, i);
            }

            int candidate = entry - 1;
            if (_stackHashes[candidate] == hash)
            {
                long span = _stackSpans[candidate];
                if (new ReadOnlySpan<int>(_data, (int)(span >> 32), (int)span).SequenceEqual(rootFirstFrameIds))
                {
                    return candidate;
                }
            }
        }
    }

    /// <summary>Interns a stack given leaf first (the order stack walks produce). Sampler thread only.</summary>
    internal int InternStackLeafFirst(Span<int> leafFirstFrameIds)
    {
        leafFirstFrameIds.Reverse();
        return InternStack(leafFirstFrameIds);
    }

    private int AddFrame(FrameKey key)
    {
        lock (_writeLock)
        {
            int id = _frameCount;
            if (id == _frames.Length)
            {
                Array.Resize(ref _frames, id * 2);
            }

            _frames[id] = new StackFrameInfo(id, key.Name, key.Module) { ModulePath = key.ModulePath, MethodToken = key.Token, ILOffset = key.ILOffset };
            _frameIds.Add(key, id);
            Volatile.Write(ref _frameCount, id + 1);
            return id;
        }
    }

    private int AddStack(ReadOnlySpan<int> frames, int hash, int bucket)
    {
        lock (_writeLock)
        {
            int id = _stackCount;
            if (_dataLength + frames.Length > _data.Length)
            {
                // The old array stays intact for spans handed out earlier.
                var bigger = new int[Math.Max(_data.Length * 2, _dataLength + frames.Length)];
                Array.Copy(_data, bigger, _dataLength);
                _data = bigger;
            }

            if (id == _stackSpans.Length)
            {
                Array.Resize(ref _stackSpans, id * 2);
                Array.Resize(ref _stackHashes, id * 2);
            }

            frames.CopyTo(_data.AsSpan(_dataLength));
            _stackSpans[id] = ((long)_dataLength << 32) | (uint)frames.Length;
            _stackHashes[id] = hash;
            _dataLength += frames.Length;
            _buckets[bucket] = id + 1;
            Volatile.Write(ref _stackCount, id + 1);
            if ((id + 1) * 2 > _buckets.Length)
            {
                Rehash(_buckets.Length * 2);
            }

            return id;
        }
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        int mask = size - 1;
        for (int id = 0; id < _stackCount; id++)
        {
            int i = _stackHashes[id] & mask;
            while (buckets[i] != 0)
            {
                i = (i + 1) & mask;
            }

            buckets[i] = id + 1;
        }

        _buckets = buckets;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<int> frames)
    {
        // Multiply-xor over independent lanes (eight ints a step with two 128-bit vectors, or four
        // scalar lanes), folded at the end: each step waits only on its own lane, so deep stacks hash
        // at the CPU's throughput, not its latency. The table compares full sequences: this need only spread.
        const uint Prime = 16777619u;
        ref int start = ref MemoryMarshal.GetReference(frames);
        int i = 0;
        uint h;
        if (Vector128.IsHardwareAccelerated && frames.Length >= 16)
        {
            var prime = Vector128.Create(Prime);
            var a0 = Vector128.Create(2166136261u ^ (uint)frames.Length);
            var a1 = Vector128.Create(0x9E3779B9u);
            for (; i + 8 <= frames.Length; i += 8)
            {
                a0 = (a0 ^ Vector128.LoadUnsafe(ref Unsafe.As<int, uint>(ref Unsafe.Add(ref start, i)))) * prime;
                a1 = (a1 ^ Vector128.LoadUnsafe(ref Unsafe.As<int, uint>(ref Unsafe.Add(ref start, i + 4)))) * prime;
            }

            Vector128<uint> folded = a0 ^ ((a1 << 7) | (a1 >>> 25));
            h = folded.GetElement(0) ^ BitOperations.RotateLeft(folded.GetElement(1), 7) ^ BitOperations.RotateLeft(folded.GetElement(2), 13) ^ BitOperations.RotateLeft(folded.GetElement(3), 19);
        }
        else
        {
            uint h0 = 2166136261u ^ (uint)frames.Length, h1 = 0x9E3779B9u, h2 = 0x85EBCA6Bu, h3 = 0xC2B2AE35u;
            for (; i + 4 <= frames.Length; i += 4)
            {
                h0 = (h0 ^ (uint)Unsafe.Add(ref start, i)) * Prime;
                h1 = (h1 ^ (uint)Unsafe.Add(ref start, i + 1)) * Prime;
                h2 = (h2 ^ (uint)Unsafe.Add(ref start, i + 2)) * Prime;
                h3 = (h3 ^ (uint)Unsafe.Add(ref start, i + 3)) * Prime;
            }

            h = h0 ^ BitOperations.RotateLeft(h1, 7) ^ BitOperations.RotateLeft(h2, 13) ^ BitOperations.RotateLeft(h3, 19);
        }

        for (; i < frames.Length; i++)
        {
            h = (h ^ (uint)Unsafe.Add(ref start, i)) * Prime;
        }

        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        return (int)(h & 0x7FFFFFFF);
    }

    [StructLayout(LayoutKind.Auto)]
    private readonly record struct FrameKey(string Module, string Name, string? ModulePath, int Token, int ILOffset);
}

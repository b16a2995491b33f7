using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StatProf.Analysis.Internal.Aggregation;

/// <summary>
/// Interns sequences of <typeparamref name="T"/> (UTF-8 names, stacks of frame ids): each distinct
/// sequence gets a dense id (0, 1, 2, …) in order of first appearance. Lookups of a known sequence
/// do not allocate. Sequences live in one growing arena, so memory is proportional to the distinct
/// content, never to the number of lookups (STYLE.md §6).
/// </summary>
/// <typeparam name="T">An unmanaged element type compared bitwise.</typeparam>
internal sealed class SpanInterner<T>
    where T : unmanaged, IEquatable<T>
{
    private T[] _arena = new T[1024];
    private int _arenaLength;
    private int[] _offsets = new int[64];
    private int[] _lengths = new int[64];
    private int[] _hashes = new int[64];
    private int[] _buckets = new int[128]; // id + 1; 0 = empty
    private int _count;

    /// <summary>Number of distinct sequences interned.</summary>
    public int Count => _count;

    /// <summary>Total elements held in the arena.</summary>
    public long ArenaLength => _arenaLength;

    /// <summary>Returns the sequence's id, interning it when new.</summary>
    public int Intern(ReadOnlySpan<T> sequence) => Intern(sequence, out _);

    /// <summary>Returns the sequence's id, interning it when new; <paramref name="added"/> says which.</summary>
    public int Intern(ReadOnlySpan<T> sequence, out bool added)
    {
        int hash = Hash(sequence);
        int mask = _buckets.Length - 1;
        int slot = hash & mask;
        while (true)
        {
            int entry = _buckets[slot];
            if (entry == 0)
            {
                break;
            }

            int id = entry - 1;
            if (_hashes[id] == hash && _arena.AsSpan(_offsets[id], _lengths[id]).SequenceEqual(sequence))
            {
                added = false;
                return id;
            }

            slot = (slot + 1) & mask;
        }

        added = true;
        return AddSlow(sequence, hash, slot);
    }

    /// <summary>Returns the id of a known sequence, or -1.</summary>
    public int Find(ReadOnlySpan<T> sequence)
    {
        int hash = Hash(sequence);
        int mask = _buckets.Length - 1;
        int slot = hash & mask;
        while (true)
        {
            int entry = _buckets[slot];
            if (entry == 0)
            {
                return -1;
            }

            int id = entry - 1;
            if (_hashes[id] == hash && _arena.AsSpan(_offsets[id], _lengths[id]).SequenceEqual(sequence))
            {
                return id;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>The sequence with the given id. Valid until the next <see cref="Intern(ReadOnlySpan{T})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<T> Get(int id) => _arena.AsSpan(_offsets[id], _lengths[id]);

    private int AddSlow(ReadOnlySpan<T> sequence, int hash, int slot)
    {
        int id = _count;
        if (id == _offsets.Length)
        {
            int size = id * 2;
            Array.Resize(ref _offsets, size);
            Array.Resize(ref _lengths, size);
            Array.Resize(ref _hashes, size);
        }

        if (_arenaLength + sequence.Length > _arena.Length)
        {
            long size = Math.Max((long)_arena.Length * 2, (long)_arenaLength + sequence.Length);
            if (size > Array.MaxLength)
            {
                size = Array.MaxLength;
                if (_arenaLength + sequence.Length > size)
                {
                    throw new InsufficientMemoryException("The interner's arena is full.");
                }
            }

            Array.Resize(ref _arena, (int)size);
        }

        sequence.CopyTo(_arena.AsSpan(_arenaLength));
        _offsets[id] = _arenaLength;
        _lengths[id] = sequence.Length;
        _hashes[id] = hash;
        _arenaLength += sequence.Length;
        _buckets[slot] = id + 1;
        _count++;

        // Keep the load factor at or below one half.
        if (_count * 2 > _buckets.Length)
        {
            Rehash(_buckets.Length * 2);
        }

        return id;
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        int mask = size - 1;
        for (int id = 0; id < _count; id++)
        {
            int slot = _hashes[id] & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = id + 1;
        }

        _buckets = buckets;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<T> sequence)
    {
        var hash = default(HashCode);
        hash.AddBytes(MemoryMarshal.AsBytes(sequence));
        return hash.ToHashCode() & int.MaxValue;
    }
}

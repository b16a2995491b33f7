namespace StatProf.Sampler.Internal;

/// <summary>
/// A preallocated, bounded ring of samples with one producer (the sampler thread) and readers that
/// drain it under a lock. Push never allocates and never blocks. When the ring is full the
/// <see cref="RingOverflowMode"/> decides: drop the new sample, or overwrite the oldest unread one.
/// Every lost sample is counted.
/// </summary>
/// <remarks>
/// Each slot carries the sequence number of the sample it holds (a per-slot seqlock): a reader that
/// copies a slot while the producer overwrites it sees the sequence change and counts the sample as
/// dropped instead of returning a torn value.
/// </remarks>
internal sealed class SampleRing
{
    private struct Slot
    {
        public long Sequence;
        public ThreadSample Sample;
    }

    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly bool _dropOldest;
    private readonly object _readLock = new();

    private long _head;          // next sequence to write; written by the producer only
    private long _tail;          // next sequence to read; written by readers under _readLock
    private long _droppedNewest; // written by the producer only
    private long _droppedOldest; // written by readers under _readLock

    public SampleRing(int capacity, RingOverflowMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        int size = (int)Math.Min(1L << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _slots = new Slot[size];
        for (int i = 0; i < size; i++)
        {
            _slots[i].Sequence = -1;
        }

        _mask = size - 1;
        _dropOldest = mode == RingOverflowMode.DropOldest;
    }

    /// <summary>Slots in the ring (the requested capacity rounded up to a power of two).</summary>
    public int Capacity => _slots.Length;

    /// <summary>Samples waiting to be read.</summary>
    public int Count
    {
        get
        {
            long pending = Volatile.Read(ref _head) - Volatile.Read(ref _tail);
            return (int)Math.Clamp(pending, 0, _slots.Length);
        }
    }

    /// <summary>Samples pushed since the ring was created.</summary>
    public long Pushed => Volatile.Read(ref _head);

    /// <summary>Samples lost to overflow, including overwritten samples no reader has reached yet.</summary>
    public long Dropped
    {
        get
        {
            lock (_readLock)
            {
                long unreadOverwritten = Math.Max(0, Volatile.Read(ref _head) - _tail - _slots.Length);
                return Volatile.Read(ref _droppedNewest) + _droppedOldest + unreadOverwritten;
            }
        }
    }

    /// <summary>Adds a sample. Producer thread only. Returns false when the sample was dropped.</summary>
    public bool TryPush(in ThreadSample sample)
    {
        long head = _head;
        ref Slot slot = ref _slots[head & _mask];
        if (head - Volatile.Read(ref _tail) >= _slots.Length)
        {
            if (!_dropOldest)
            {
                Volatile.Write(ref _droppedNewest, _droppedNewest + 1);
                return false;
            }

            // A reader may be copying this very slot: invalidate it with a full fence first.
            Interlocked.Exchange(ref slot.Sequence, -1);
        }

        slot.Sample = sample;
        Volatile.Write(ref slot.Sequence, head);
        Volatile.Write(ref _head, head + 1);
        return true;
    }

    /// <summary>Moves up to <paramref name="destination"/>.Length samples out of the ring, oldest first.</summary>
    public int Drain(Span<ThreadSample> destination)
    {
        lock (_readLock)
        {
            long tail = _tail;
            long head = Volatile.Read(ref _head);
            int written = 0;
            while (written < destination.Length && tail < head)
            {
                if (head - tail > _slots.Length)
                {
                    long skipTo = head - _slots.Length;
                    _droppedOldest += skipTo - tail;
                    tail = skipTo;
                }

                ref Slot slot = ref _slots[tail & _mask];
                long before = Volatile.Read(ref slot.Sequence);
                ThreadSample sample = slot.Sample;
                Interlocked.MemoryBarrier();
                long after = Volatile.Read(ref slot.Sequence);
                if (before != tail || after != tail)
                {
                    // Overwritten while we looked: the producer lapped us.
                    head = Volatile.Read(ref _head);
                    long skipTo = Math.Max(tail + 1, head - _slots.Length);
                    _droppedOldest += skipTo - tail;
                    tail = skipTo;
                    Volatile.Write(ref _tail, tail);
                    continue;
                }

                destination[written++] = sample;
                tail++;
                Volatile.Write(ref _tail, tail);
                if (tail == head)
                {
                    head = Volatile.Read(ref _head);
                }
            }

            return written;
        }
    }
}

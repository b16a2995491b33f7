namespace StatProf.Sampler.Internal;

/// <summary>
/// One thread's monitoring state: the stack of requests it is running now (owner thread only) and
/// its last <see cref="History"/> monitored intervals, each tagged with the request that ran in it,
/// readable by the sampler thread through a seqlock.
/// </summary>
/// <remarks>
/// The owner thread writes every shared field with <see cref="Volatile.Write(ref long, long)"/>: in
/// the .NET memory model a volatile write is not observable before any earlier write, so the odd
/// version, the interval fields and the even version become visible in that order, which is all a
/// seqlock writer needs. On x64 these are plain stores (no interlocked instruction on the request
/// path); the reader pays the full fence.
/// </remarks>
internal sealed class ThreadSlot
{
    public const int History = 64;

    /// <summary>Nested scopes deeper than this still count but are attributed to the 16th.</summary>
    private const int MaxNesting = 16;

    private const int Mask = History - 1; // History is a power of two

    private readonly Interval[] _history = new Interval[History];
    private readonly long[] _nested = new long[MaxNesting];
    private readonly WeakReference<Thread> _thread;
    private int _version; // odd while the owner writes
    private long _intervals; // never wraps: 2^63 scopes

    public ThreadSlot(int osThreadId, int managedThreadId, Thread thread)
    {
        OsThreadId = osThreadId;
        ManagedThreadId = managedThreadId;
        _thread = new WeakReference<Thread>(thread);
    }

    public int OsThreadId { get; }

    public int ManagedThreadId { get; }

    /// <summary>Nesting depth of monitored scopes; written by the owner thread.</summary>
    public int Depth { get; private set; }

    public bool IsAlive => _thread.TryGetTarget(out Thread? t) && t.IsAlive;

    /// <summary>True when <paramref name="thread"/> is the thread this slot was made for.</summary>
    public bool IsOwnedBy(Thread thread) => _thread.TryGetTarget(out Thread? t) && ReferenceEquals(t, thread);

    /// <summary>When a prune pass first saw the thread ended (Stopwatch clock); 0 while alive. Pruning thread only.</summary>
    public long SeenEndedAt { get; set; }

    /// <summary>Owner thread. Opens an interval for <paramref name="requestId"/>; true when the thread was not monitored before.</summary>
    public bool Enter(long now, long requestId)
    {
        int version = _version + 1;
        Volatile.Write(ref _version, version); // odd: a reader retries
        if (Depth > 0)
        {
            Volatile.Write(ref _history[(int)((_intervals - 1) & Mask)].Exited, now);
        }

        if (Depth < MaxNesting)
        {
            _nested[Depth] = requestId;
        }

        Depth++;
        Open(now, _nested[Math.Min(Depth, MaxNesting) - 1]);
        Volatile.Write(ref _version, version + 1);
        return Depth == 1;
    }

    /// <summary>Owner thread. Closes the current interval (reopening the enclosing request's); true when the thread is no longer monitored.</summary>
    public bool Exit(long now)
    {
        if (Depth == 0)
        {
            return false;
        }

        int version = _version + 1;
        Volatile.Write(ref _version, version);
        Volatile.Write(ref _history[(int)((_intervals - 1) & Mask)].Exited, now);
        Depth--;
        if (Depth > 0)
        {
            Open(now, _nested[Math.Min(Depth, MaxNesting) - 1]);
        }

        Volatile.Write(ref _version, version + 1);
        return Depth == 0;
    }

    private void Open(long now, long requestId)
    {
        ref Interval interval = ref _history[(int)(_intervals & Mask)];
        Volatile.Write(ref interval.Entered, now);
        Volatile.Write(ref interval.Exited, long.MaxValue);
        Volatile.Write(ref interval.Request, requestId);
        Volatile.Write(ref _intervals, _intervals + 1);
    }

    /// <summary>
    /// Any thread. True when <paramref name="timestamp"/> falls in one of the remembered intervals;
    /// gives the request of the latest such interval (0 for a thread monitored without a request).
    /// </summary>
    public bool WasMonitoredAt(long timestamp, out long requestId)
    {
        var spin = default(SpinWait);
        while (true)
        {
            int before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                bool found = false;
                long request = 0;
                long total = _intervals;
                int count = (int)Math.Min(total, History);

                // Newest first: at a boundary the request that was entered last wins.
                for (int k = 1; k <= count && !found; k++)
                {
                    ref Interval interval = ref _history[(int)((total - k) & Mask)];
                    if (interval.Entered <= timestamp && timestamp <= interval.Exited)
                    {
                        found = true;
                        request = interval.Request;
                    }
                }

                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before)
                {
                    requestId = request;
                    return found;
                }
            }

            spin.SpinOnce();
        }
    }

    /// <summary>One monitored interval of the thread, on the <see cref="System.Diagnostics.Stopwatch"/> clock.</summary>
    private struct Interval
    {
        public long Entered;
        public long Exited; // long.MaxValue while open
        public long Request;
    }
}

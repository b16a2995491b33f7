namespace StatProf.Sampler.Internal;

/// <summary>
/// One thread's monitoring state: the stack of requests it is running now (owner thread only) and
/// its last <see cref="History"/> monitored intervals, each tagged with the request that ran in it,
/// readable by the sampler thread through a seqlock.
/// </summary>
internal sealed class ThreadSlot
{
    public const int History = 64;

    /// <summary>Nested scopes deeper than this still count but are attributed to the 16th.</summary>
    private const int MaxNesting = 16;

    private readonly long[] _entered = new long[History];
    private readonly long[] _exited = new long[History];
    private readonly long[] _requests = new long[History];
    private readonly long[] _nested = new long[MaxNesting];
    private readonly WeakReference<Thread> _thread;
    private int _version; // odd while the owner writes
    private int _intervals;

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

    /// <summary>Owner thread. Opens an interval for <paramref name="requestId"/>; true when the thread was not monitored before.</summary>
    public bool Enter(long now, long requestId)
    {
        Interlocked.Increment(ref _version);
        if (Depth > 0)
        {
            _exited[(_intervals - 1) % History] = now;
        }

        if (Depth < MaxNesting)
        {
            _nested[Depth] = requestId;
        }

        Depth++;
        Open(now, _nested[Math.Min(Depth, MaxNesting) - 1]);
        Volatile.Write(ref _version, _version + 1);
        return Depth == 1;
    }

    /// <summary>Owner thread. Closes the current interval (reopening the enclosing request's); true when the thread is no longer monitored.</summary>
    public bool Exit(long now)
    {
        if (Depth == 0)
        {
            return false;
        }

        Interlocked.Increment(ref _version);
        _exited[(_intervals - 1) % History] = now;
        Depth--;
        if (Depth > 0)
        {
            Open(now, _nested[Math.Min(Depth, MaxNesting) - 1]);
        }

        Volatile.Write(ref _version, _version + 1);
        return Depth == 0;
    }

    private void Open(long now, long requestId)
    {
        int i = _intervals % History;
        _entered[i] = now;
        _exited[i] = long.MaxValue;
        _requests[i] = requestId;
        _intervals++;
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
                int total = _intervals;
                int count = Math.Min(total, History);

                // Newest first: at a boundary the request that was entered last wins.
                for (int k = 1; k <= count && !found; k++)
                {
                    int i = (total - k) % History;
                    if (_entered[i] <= timestamp && timestamp <= _exited[i])
                    {
                        found = true;
                        request = _requests[i];
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
}

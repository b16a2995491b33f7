namespace StatProf.Sampler.Internal;

/// <summary>
/// One thread's monitoring state: nesting depth (owner thread only) and its last
/// <see cref="History"/> monitored intervals, readable by the sampler thread through a seqlock.
/// </summary>
internal sealed class ThreadSlot
{
    public const int History = 64;

    private readonly long[] _entered = new long[History];
    private readonly long[] _exited = new long[History];
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

    /// <summary>Owner thread. Returns true when this opened a monitored interval.</summary>
    public bool Enter(long now)
    {
        if (Depth++ > 0)
        {
            return false;
        }

        Interlocked.Increment(ref _version);
        int i = _intervals % History;
        _entered[i] = now;
        _exited[i] = long.MaxValue;
        _intervals++;
        Volatile.Write(ref _version, _version + 1);
        return true;
    }

    /// <summary>Owner thread. Returns true when this closed the monitored interval.</summary>
    public bool Exit(long now)
    {
        if (Depth == 0 || --Depth > 0)
        {
            return false;
        }

        Interlocked.Increment(ref _version);
        _exited[(_intervals - 1) % History] = now;
        Volatile.Write(ref _version, _version + 1);
        return true;
    }

    /// <summary>Any thread. True when <paramref name="timestamp"/> falls in one of the remembered intervals.</summary>
    public bool WasMonitoredAt(long timestamp)
    {
        var spin = default(SpinWait);
        while (true)
        {
            int before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                bool found = false;
                int count = Math.Min(_intervals, History);
                for (int k = 0; k < count && !found; k++)
                {
                    found = _entered[k] <= timestamp && timestamp <= _exited[k];
                }

                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before)
                {
                    return found;
                }
            }

            spin.SpinOnce();
        }
    }
}

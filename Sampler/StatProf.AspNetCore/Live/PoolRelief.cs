namespace StatProf.AspNetCore.Live;

/// <summary>
/// Lifts the thread pool's minimum while the endpoint samples, when work items are queued.
/// </summary>
/// <remarks>
/// Starting the in-process sampler needs the thread pool (measured: in a starved pool the session
/// "did not start within 15 s"; likely TraceEvent's real-time TraceLog handing events over from pool
/// work, not verified in its source). Raising the minimum makes the pool create threads at once instead of one or two a
/// second, so the timer runs; the app's queued work gets those threads too, which is also the usual
/// emergency relief for starvation. The previous minimum is restored on dispose (threads above it
/// retire when idle). Nothing is changed when no work is queued.
/// </remarks>
internal sealed class PoolRelief : IDisposable
{
    // Overlapping reliefs (a dump during a flame graph): the first saves the minimum, the last restores it.
    private static readonly object Gate = new();
    private static int s_holders;
    private static int s_savedWorkers;
    private static int s_savedIo;
    private readonly int _previousWorkers;
    private readonly int _previousIo;

    private PoolRelief(long pending, int previousWorkers, int previousIo, int raisedTo)
    {
        Pending = pending;
        ThreadsBefore = ThreadPool.ThreadCount;
        _previousWorkers = previousWorkers;
        _previousIo = previousIo;
        RaisedTo = raisedTo;
    }

    /// <summary>Work items queued when sampling began.</summary>
    public long Pending { get; }

    /// <summary>Pool threads when sampling began.</summary>
    public int ThreadsBefore { get; }

    /// <summary>The minimum of worker threads while sampling; 0 when it was not changed.</summary>
    public int RaisedTo { get; }

    /// <summary>The minimum before.</summary>
    public int PreviousMinimum => _previousWorkers;

    public static PoolRelief IfStarved()
    {
        long pending = ThreadPool.PendingWorkItemCount;
        ThreadPool.GetMinThreads(out int workers, out int io);
        if (pending == 0)
        {
            return new PoolRelief(0, workers, io, 0);
        }

        lock (Gate)
        {
            if (s_holders == 0)
            {
                s_savedWorkers = workers;
                s_savedIo = io;
            }

            int raised = Math.Max(workers, ThreadPool.ThreadCount + (int)Math.Min(pending, 1024) + 4);
            if (!ThreadPool.SetMinThreads(raised, io))
            {
                return new PoolRelief(pending, s_savedWorkers, s_savedIo, 0);
            }

            s_holders++;
            return new PoolRelief(pending, s_savedWorkers, s_savedIo, raised);
        }
    }

    public void Dispose()
    {
        if (RaisedTo == 0)
        {
            return;
        }

        lock (Gate)
        {
            if (--s_holders == 0)
            {
                ThreadPool.SetMinThreads(_previousWorkers, _previousIo);
            }
        }
    }
}

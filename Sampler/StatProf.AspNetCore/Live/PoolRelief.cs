namespace StatProf.AspNetCore.Live;

/// <summary>
/// Lifts the thread pool's minimum while the endpoint samples, whenever work items are queued: at
/// the start and, watched every 50 ms on a thread of its own, for as long as the sampling runs.
/// </summary>
/// <remarks>
/// Starting the in-process sampler needs the thread pool (measured: in a starved pool the session
/// "did not start within 15 s"; likely TraceEvent's real-time TraceLog handing events over from pool
/// work, not verified in its source). Raising the minimum makes the pool create threads at once instead of one or two a
/// second, so that work runs; the app's queued work gets those threads too, which is also the usual
/// emergency relief for starvation. A pool that starves only after sampling began (a burst of
/// blocking requests meanwhile) is caught by the watch: checking once at the start left a session
/// waiting for the pool. The previous minimum is restored on dispose (threads above it retire when
/// idle). Nothing is changed while no work is queued.
/// </remarks>
internal sealed class PoolRelief : IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(50);

    // The most threads one relief adds above the minimum it found: a bound for an app that keeps
    // queuing work as fast as threads come.
    private const int MaxExtraThreads = 1024;

    // Overlapping reliefs (a dump during a flame graph): the first saves the minimum, the last restores it.
    private static readonly object Gate = new();
    private static int s_holders;
    private static int s_savedWorkers;
    private static int s_savedIo;

    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _watcher;
    private bool _holding;

    private PoolRelief()
    {
        ThreadPool.GetMinThreads(out int workers, out _);
        PreviousMinimum = workers;
        ThreadsBefore = ThreadPool.ThreadCount;
        _watcher = new Thread(Watch) { IsBackground = true, Name = "StatProf pool relief" };
    }

    /// <summary>Work items queued when the minimum was first raised; 0 when it was not.</summary>
    public long Pending { get; private set; }

    /// <summary>Pool threads when the minimum was first raised (or when sampling began).</summary>
    public int ThreadsBefore { get; private set; }

    /// <summary>The highest minimum of worker threads while sampling; 0 when it was not changed.</summary>
    public int RaisedTo { get; private set; }

    /// <summary>The minimum before.</summary>
    public int PreviousMinimum { get; private set; }

    /// <summary>Checks the pool now, then every 50 ms until disposed.</summary>
    public static PoolRelief WhileSampling()
    {
        var relief = new PoolRelief();
        relief.Check();
        relief._watcher.Start();
        return relief;
    }

    public void Dispose()
    {
        _stop.Set();
        _watcher.Join();
        _stop.Dispose();
        lock (Gate)
        {
            if (_holding && --s_holders == 0)
            {
                ThreadPool.SetMinThreads(s_savedWorkers, s_savedIo);
            }

            _holding = false;
        }
    }

    private void Watch()
    {
        while (!_stop.Wait(CheckInterval))
        {
            Check();
        }
    }

    private void Check()
    {
        long pending = ThreadPool.PendingWorkItemCount;
        if (pending == 0)
        {
            return;
        }

        lock (Gate)
        {
            ThreadPool.GetMinThreads(out int workers, out int io);
            if (!_holding && s_holders == 0)
            {
                s_savedWorkers = workers;
                s_savedIo = io;
            }

            int threads = ThreadPool.ThreadCount;
            int wanted = Math.Max(workers, Math.Min(threads + (int)Math.Min(pending, MaxExtraThreads) + 4, s_savedWorkers + MaxExtraThreads));
            if (_holding && wanted == workers)
            {
                return;
            }

            if (wanted > workers && !ThreadPool.SetMinThreads(wanted, io))
            {
                return;
            }

            if (!_holding)
            {
                _holding = true;
                s_holders++;
                Pending = pending;
                ThreadsBefore = threads;
                PreviousMinimum = s_savedWorkers;
            }

            RaisedTo = wanted;
        }
    }
}

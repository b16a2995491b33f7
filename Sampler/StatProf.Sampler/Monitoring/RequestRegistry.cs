using System.Diagnostics;
using StatProf.Sampler.Internal;

namespace StatProf.Sampler.Monitoring;

/// <summary>
/// Which request runs on which thread now. Begins and ends monitored requests: a synchronous request
/// is bound to its thread (fast path: a thread-cached state, no lock, no allocation); an async request
/// flows with the execution context and its thread is tracked at every hop by an
/// <see cref="AsyncLocal{T}"/> value-changed handler. Every state ever used is listed for the
/// watchdog, which finds the requests that run too long.
/// </summary>
internal sealed class RequestRegistry
{
    // Everything the synchronous path needs, in one thread-static: one thread-local access per call.
    [ThreadStatic]
    private static SyncThreadContext? t_context;

    // Ids are handed out to each thread in blocks, so that beginning a request touches no shared counter.
    internal const long IdBlock = 1024;

    private readonly MonitoredThreads _threads;
    private readonly AsyncLocal<AsyncToken?> _current;
    private readonly long _endNoticeTicks;
    private readonly long _preciseEndTicks;
    private readonly Action<RequestState, long> _onLongEnd;
    private readonly object _poolLock = new();
    private readonly Stack<RequestState> _pool = new();
    private RequestState[] _all = new RequestState[64];
    private int _allCount;
    private long _nextId;
    private volatile bool _retired;

    /// <summary>True once the logger is gone.</summary>
    internal bool Retired => _retired;

    /// <param name="threads">The sampler's thread filter: each request's thread intervals go there.</param>
    /// <param name="endNoticeAfter">Requests that end after running this long are reported to <paramref name="onLongEnd"/>.</param>
    /// <param name="onLongEnd">Called on the ending thread with the state (still filled) and the end timestamp.</param>
    public RequestRegistry(MonitoredThreads threads, TimeSpan endNoticeAfter, Action<RequestState, long> onLongEnd)
    {
        _threads = threads;
        _endNoticeTicks = (long)(endNoticeAfter.TotalSeconds * Stopwatch.Frequency);
        _preciseEndTicks = Math.Min(_endNoticeTicks, Stopwatch.Frequency / 10);
        _onLongEnd = onLongEnd;
        _current = new AsyncLocal<AsyncToken?>(OnAsyncContextChanged);
    }

    /// <summary>Every state ever used (free ones have Id 0); the array may be longer than the count.</summary>
    public ReadOnlySpan<RequestState> All
    {
        get
        {
            RequestState[] all = Volatile.Read(ref _all);
            return all.AsSpan(0, Math.Min(Volatile.Read(ref _allCount), all.Length));
        }
    }

    /// <summary>
    /// How long a request runs before <see cref="MarkLongRunning"/> should be called for it: from then
    /// on its end instant is read from the precise clock. 100 ms, or the end-notice delay if shorter.
    /// </summary>
    public long PreciseEndTicks => _preciseEndTicks;

    /// <summary>
    /// Begins a synchronous request on the calling thread. <paramref name="context"/> is the thread's
    /// fast path, to give back to <see cref="EndSync"/> (null when the thread's cache belongs to
    /// another live registry).
    /// </summary>
    public RequestState BeginSync(string kind, RequestName name, string? externalId, IReadOnlyList<KeyValuePair<string, string>>? tags, out SyncThreadContext? context)
    {
        context = t_context;
        if (context is null || context.Registry != this)
        {
            context = context is null || context.Registry.Retired ? Attach() : null;
            if (context is null)
            {
                return BeginSyncUncached(kind, name, externalId, tags);
            }
        }

        RequestState state = context.State;
        if (state.InUse)
        {
            state = Rent(); // a nested scope
        }

        // While no session samples, the start may come from the coarse clock (10 ns instead of 26):
        // it only dates the request, within a few ms. Under a session, samples need the precise instant.
        long now = _threads.SessionActive ? Stopwatch.GetTimestamp() : CoarseClock.Now;
        long id = context.NextId();
        state.Begin(id, kind, name, externalId, tags, details: null, detailsSource: null, now, isAsync: false);
        context.Slot.Enter(now, id);
        return state;
    }

    /// <summary>Ends a synchronous request on the thread that began it.</summary>
    public void EndSync(RequestState state, SyncThreadContext? context)
    {
        // The end instant matters only to a sampling session (which intervals samples fall in) and to a
        // request that ran long enough to be reported. Otherwise the interval closes at its start:
        // no sample can fall in it, and the request is spared a clock read.
        long now = Volatile.Read(ref state.NeedsEndTime) || _threads.SessionActive ? Stopwatch.GetTimestamp() : state.Start;
        if (context is not null)
        {
            context.Slot.Exit(now);
            Finish(state, now);
            if (!ReferenceEquals(context.State, state))
            {
                Return(state);
            }
        }
        else
        {
            _threads.ExitCurrentThread(now);
            Finish(state, now);
            Return(state);
        }
    }

    /// <summary>The watchdog saw the request running for <see cref="PreciseEndTicks"/>.</summary>
    public static void MarkLongRunning(RequestState state) => Volatile.Write(ref state.NeedsEndTime, true);

    /// <summary>The logger is gone: threads may give their cached context to a new registry.</summary>
    public void Retire() => _retired = true;

    private SyncThreadContext Attach()
    {
        RequestState state = Rent();
        state.InUse = false; // the thread's own state: in use only between a begin and its end
        ThreadSlot slot = _threads.CurrentThreadSlot();
        Volatile.Write(ref state.Owner, slot);
        var context = new SyncThreadContext(this, state, slot);
        t_context = context;
        return context;
    }

    /// <summary>A thread whose cached context belongs to another live registry: no cache, no allocation.</summary>
    private RequestState BeginSyncUncached(string kind, RequestName name, string? externalId, IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        RequestState state = Rent();
        long now = Stopwatch.GetTimestamp();
        long id = NextId();
        state.Begin(id, kind, name, externalId, tags, details: null, detailsSource: null, now, isAsync: false);
        _threads.EnterCurrentThread(id, now);
        return state;
    }

    /// <summary>
    /// Begins an async request: its token goes into the execution context, and the handler follows it
    /// to every thread that runs it. <paramref name="details"/> reads the rest of the request's
    /// information from <paramref name="detailsSource"/> only if the request turns slow.
    /// </summary>
    public RequestState BeginAsync(string kind, RequestName name, string? externalId, IReadOnlyList<KeyValuePair<string, string>>? tags, RequestDetails? details = null, object? detailsSource = null)
    {
        // The thread's spare state and block of ids when it has them (no lock, no shared counter).
        SyncThreadContext? context = t_context;
        if (context is null || context.Registry.Retired)
        {
            context = Attach();
        }

        RequestState state;
        long id;
        if (context.Registry == this)
        {
            state = context.TakeSpare() ?? Rent();
            id = context.NextId();
        }
        else
        {
            state = Rent();
            id = NextId();
        }

        // As for a synchronous request: the coarse clock dates it while no session samples.
        long now = _threads.SessionActive ? Stopwatch.GetTimestamp() : CoarseClock.Now;
        state.Begin(id, kind, name, externalId, tags, details, detailsSource, now, isAsync: true);

        // The handler enters this thread for the request now, and follows the request at every hop.
        _current.Value = new AsyncToken(state, state.Id);
        return state;
    }

    /// <summary>
    /// Ends an async request. <paramref name="leaveContext"/>: the caller is the async method that
    /// began the request, whose return restores the execution context it was called with (the
    /// handler then exits the thread), so the request's token need not be taken out of the context
    /// here, which would copy the context once more.
    /// </summary>
    public void EndAsync(RequestState state, bool leaveContext = false)
    {
        if (!leaveContext && _current.Value is { } token && ReferenceEquals(token.State, state))
        {
            _current.Value = null; // the handler exits this thread
        }

        // As for a synchronous request: the end instant is read only when a session or a long run needs it.
        long now = Volatile.Read(ref state.NeedsEndTime) || _threads.SessionActive ? Stopwatch.GetTimestamp() : state.Start;
        Finish(state, now);

        // Kept by the ending thread for its next request when it has no spare yet; else pooled.
        if (t_context is not { } context || context.Registry != this || !context.KeepSpare(state))
        {
            Return(state);
        }
    }

    /// <summary>
    /// Gives back to the pool the states kept by threads that have ended (every thread that began a
    /// synchronous request keeps one for its fast path). Without this, a host whose threads come and
    /// go (thread-pool growth and retirement, dedicated threads per job) would add a state to
    /// <see cref="All"/> per thread for good, and the watchdog would scan them all every step.
    /// Called by the watchdog's thread, about once a second.
    /// </summary>
    /// <returns>The number of states reclaimed.</returns>
    public int ReclaimEndedThreads()
    {
        int reclaimed = 0;
        foreach (RequestState state in All)
        {
            ThreadSlot? owner = Volatile.Read(ref state.Owner);
            if (owner is not null && !owner.IsAlive && state.Id == 0 && !state.InUse)
            {
                // The owner is gone: nothing else can touch this state now.
                Volatile.Write(ref state.Owner, null);
                Return(state);
                reclaimed++;
            }
        }

        return reclaimed;
    }

    private long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Reserves a block of <see cref="IdBlock"/> ids; gives its first.</summary>
    internal long ReserveIds() => Interlocked.Add(ref _nextId, IdBlock) - IdBlock + 1;

    private void Finish(RequestState state, long now)
    {
        if (now - state.Start >= _endNoticeTicks)
        {
            _onLongEnd(state, now);
        }

        state.End();
    }

    /// <remarks>
    /// Entries and exits stay paired per thread whatever happens to the request: work that outlives
    /// its request (a fire-and-forget task) still carries the token, and is attributed to the ended
    /// request's id, which no logger follows any more, never to the request that reuses the state.
    /// </remarks>
    private void OnAsyncContextChanged(AsyncLocalValueChangedArgs<AsyncToken?> change)
    {
        // Runs at every hop of every async request: the precise clock only under a session.
        long now = _threads.SessionActive ? Stopwatch.GetTimestamp() : CoarseClock.Now;
        ThreadSlot slot = _threads.CurrentThreadSlot();
        if (change.PreviousValue is { } previous)
        {
            slot.Exit(now);
            if (previous.State.Id == previous.Id)
            {
                Volatile.Write(ref previous.State.CurrentOsThread, 0);
            }
        }

        if (change.CurrentValue is { } current)
        {
            slot.Enter(now, current.Id);
            if (current.State.Id == current.Id)
            {
                Volatile.Write(ref current.State.CurrentOsThread, slot.OsThreadId);
            }
        }
    }

    /// <summary>What flows with an async request's execution context: the state and the id it had.</summary>
    private sealed record AsyncToken(RequestState State, long Id);

    private RequestState Rent()
    {
        lock (_poolLock)
        {
            if (_pool.TryPop(out RequestState? pooled))
            {
                pooled.InUse = true;
                return pooled;
            }

            var state = new RequestState { InUse = true };
            if (_allCount == _all.Length)
            {
                var bigger = new RequestState[_all.Length * 2];
                _all.CopyTo(bigger, 0);
                Volatile.Write(ref _all, bigger);
            }

            _all[_allCount] = state;
            Volatile.Write(ref _allCount, _allCount + 1);
            return state;
        }
    }

    private void Return(RequestState state)
    {
        lock (_poolLock)
        {
            _pool.Push(state);
        }
    }
}

using System.Diagnostics;

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
    [ThreadStatic]
    private static RequestRegistry? t_owner;

    [ThreadStatic]
    private static RequestState? t_cached;

    // Ids are handed out to each thread in blocks, so that beginning a request touches no shared counter.
    private const long IdBlock = 1024;

    [ThreadStatic]
    private static long t_nextId;

    [ThreadStatic]
    private static long t_idLimit;

    [ThreadStatic]
    private static RequestRegistry? t_idOwner;

    private readonly MonitoredThreads _threads;
    private readonly AsyncLocal<AsyncToken?> _current;
    private readonly long _endNoticeTicks;
    private readonly Action<RequestState, long> _onLongEnd;
    private readonly object _poolLock = new();
    private readonly Stack<RequestState> _pool = new();
    private RequestState[] _all = new RequestState[64];
    private int _allCount;
    private long _nextId;

    /// <param name="threads">The sampler's thread filter: each request's thread intervals go there.</param>
    /// <param name="endNoticeAfter">Requests that end after running this long are reported to <paramref name="onLongEnd"/>.</param>
    /// <param name="onLongEnd">Called on the ending thread with the state (still filled) and the end timestamp.</param>
    public RequestRegistry(MonitoredThreads threads, TimeSpan endNoticeAfter, Action<RequestState, long> onLongEnd)
    {
        _threads = threads;
        _endNoticeTicks = (long)(endNoticeAfter.TotalSeconds * Stopwatch.Frequency);
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

    public RequestState BeginSync(string kind, string name, string? externalId, IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        RequestState? state = t_owner == this ? t_cached : null;
        if (state is null || state.InUse)
        {
            state = Rent();
            if (t_owner != this || t_cached is null)
            {
                t_owner = this;
                t_cached = state;
            }
        }

        long now = Stopwatch.GetTimestamp();
        state.Begin(NextId(), kind, name, externalId, tags, now, isAsync: false);
        _threads.EnterCurrentThread(state.Id, now);
        return state;
    }

    public void EndSync(RequestState state)
    {
        long now = Stopwatch.GetTimestamp();
        _threads.ExitCurrentThread(now);
        Finish(state, now);
        if (!ReferenceEquals(t_cached, state) || t_owner != this)
        {
            Return(state);
        }
    }

    public RequestState BeginAsync(string kind, string name, string? externalId, IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        RequestState state = Rent();
        state.Begin(NextId(), kind, name, externalId, tags, Stopwatch.GetTimestamp(), isAsync: true);

        // The handler enters this thread for the request now, and follows the request at every hop.
        _current.Value = new AsyncToken(state, state.Id);
        return state;
    }

    public void EndAsync(RequestState state)
    {
        if (_current.Value is { } token && ReferenceEquals(token.State, state))
        {
            _current.Value = null; // the handler exits this thread
        }

        Finish(state, Stopwatch.GetTimestamp());
        Return(state);
    }

    private long NextId()
    {
        if (t_idOwner != this || t_nextId == t_idLimit)
        {
            t_idLimit = Interlocked.Add(ref _nextId, IdBlock) + 1;
            t_nextId = t_idLimit - IdBlock;
            t_idOwner = this;
        }

        return t_nextId++;
    }

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
        long now = Stopwatch.GetTimestamp();
        if (change.PreviousValue is { } previous)
        {
            _threads.ExitCurrentThread(now);
            if (previous.State.Id == previous.Id)
            {
                Volatile.Write(ref previous.State.CurrentOsThread, 0);
            }
        }

        if (change.CurrentValue is { } current)
        {
            _threads.EnterCurrentThread(current.Id, now);
            if (current.State.Id == current.Id)
            {
                Volatile.Write(ref current.State.CurrentOsThread, OsThread.CurrentId);
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

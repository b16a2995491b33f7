using StatProf.Sampler.Internal;

namespace StatProf.Sampler.Monitoring;

/// <summary>
/// A thread's synchronous fast path for one <see cref="RequestRegistry"/>: its reusable state, its
/// monitoring slot and its block of ids. Used by its owner thread only; a <see cref="RequestScope"/>
/// carries it from begin to end so that ending reads no thread-local.
/// </summary>
internal sealed class SyncThreadContext(RequestRegistry registry, RequestState state, ThreadSlot slot)
{
    private long _nextId;
    private long _idLimit;

    public RequestRegistry Registry { get; } = registry;

    public RequestState State { get; } = state;

    public ThreadSlot Slot { get; } = slot;

    /// <summary>A free state this thread keeps for its next async request (one at most).</summary>
    private RequestState? _spare;

    /// <summary>Takes the spare state, if any, for a request beginning on this thread.</summary>
    public RequestState? TakeSpare()
    {
        RequestState? spare = _spare;
        if (spare is not null)
        {
            _spare = null;
            Volatile.Write(ref spare.Owner, null);
            spare.InUse = true;
        }

        return spare;
    }

    /// <summary>
    /// Keeps a state that an async request ending on this thread has freed; false when a spare is
    /// kept already. While kept, its <see cref="RequestState.Owner"/> is this thread, so that the
    /// state goes back to the pool once the thread has ended.
    /// </summary>
    public bool KeepSpare(RequestState state)
    {
        if (_spare is not null)
        {
            return false;
        }

        Volatile.Write(ref state.Owner, Slot);
        _spare = state;
        return true;
    }

    /// <summary>The next id of this thread's block (a new block every <see cref="RequestRegistry.IdBlock"/> requests).</summary>
    public long NextId()
    {
        if (_nextId == _idLimit)
        {
            _nextId = Registry.ReserveIds();
            _idLimit = _nextId + RequestRegistry.IdBlock;
        }

        return _nextId++;
    }
}

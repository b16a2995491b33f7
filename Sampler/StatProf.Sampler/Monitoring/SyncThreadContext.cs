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

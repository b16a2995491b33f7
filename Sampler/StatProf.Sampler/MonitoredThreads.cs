using System.Collections.Concurrent;
using System.Diagnostics;
using StatProf.Sampler.Internal;

namespace StatProf.Sampler;

/// <summary>
/// The threads whose samples a sampler in <see cref="SamplingMode.MonitoredThreads"/> mode keeps.
/// </summary>
/// <remarks>
/// <para>The runtime's samples reach the sampler thread some milliseconds after the tick that took
/// them, so the filter is decided by time, not by the state at processing time: a sample is kept when
/// its thread was inside a monitored scope at the instant of the tick. Each thread remembers its last
/// <c>64</c> monitored intervals (samples reach the sampler thread 0.1–0.3 s after their tick, up to 1.3 s at p99 on a loaded 2-core machine: 64 intervals cover a thread that changes scope every 20 ms; past that, the oldest late samples of the thread are dropped as unmonitored) for that purpose.</para>
/// <para>Entering is counted (scopes nest) and only the owning thread enters or exits its own
/// monitoring: after the first time on a thread, entering and exiting take no lock and allocate
/// nothing.</para>
/// </remarks>
public sealed class MonitoredThreads
{
    private const int PruneAbove = 4096;

    [ThreadStatic]
    private static MonitoredThreads? t_owner;

    [ThreadStatic]
    private static ThreadSlot? t_slot;

    private readonly ConcurrentDictionary<int, ThreadSlot> _slots = new();
    private int _sessionActive;

    /// <summary>Number of threads inside a monitored scope now (counted on demand: no shared counter on the hot path).</summary>
    public int Count
    {
        get
        {
            int count = 0;
            foreach (KeyValuePair<int, ThreadSlot> entry in _slots)
            {
                count += entry.Value.Depth > 0 ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Threads with a slot (monitored now or before, ended ones not yet pruned).</summary>
    internal int KnownThreads => _slots.Count;

    /// <summary>
    /// True from just before a sampling session starts until it has stopped and its last sample was
    /// filtered: only then can the instant a scope ends matter to a sample. While it is false, a
    /// scope that ends may close its interval at any instant between its start and now.
    /// </summary>
    internal bool SessionActive
    {
        get => Volatile.Read(ref _sessionActive) != 0;
        set => Volatile.Write(ref _sessionActive, value ? 1 : 0);
    }

    /// <summary>Marks the calling thread as monitored until the returned scope is disposed (on the same thread).</summary>
    public Scope EnterCurrentThread() => EnterCurrentThread(0, Stopwatch.GetTimestamp());

    /// <summary>
    /// Marks the calling thread as running request <paramref name="requestId"/> from
    /// <paramref name="timestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value) until the scope is
    /// disposed; its samples then carry the request id. Scopes nest: the innermost request wins.
    /// </summary>
    internal Scope EnterCurrentThread(long requestId, long timestamp)
    {
        ThreadSlot slot = CurrentThreadSlot();
        slot.Enter(timestamp, requestId);
        return new Scope(this, slot);
    }

    /// <summary>The calling thread's slot (registered on first use); only this thread may enter or exit it.</summary>
    internal ThreadSlot CurrentThreadSlot() => t_owner == this && t_slot is { } cached ? cached : Register();

    /// <summary>Ends one scope of the calling thread at <paramref name="timestamp"/>.</summary>
    internal void ExitCurrentThread(long timestamp)
    {
        if (t_owner == this && t_slot is { } slot)
        {
            slot.Exit(timestamp);
        }
    }

    /// <summary>True when the thread is inside a monitored scope now; gives its managed id.</summary>
    public bool TryGet(int osThreadId, out int managedThreadId)
    {
        if (_slots.TryGetValue(osThreadId, out ThreadSlot? slot) && slot.Depth > 0)
        {
            managedThreadId = slot.ManagedThreadId;
            return true;
        }

        managedThreadId = 0;
        return false;
    }

    /// <summary>
    /// True when the thread was inside a monitored scope at <paramref name="timestamp"/>
    /// (a <see cref="Stopwatch.GetTimestamp"/> value, the clock of the runtime's events).
    /// Gives its managed id when the thread is known, monitored or not, and the request it ran then.
    /// </summary>
    internal bool WasMonitoredAt(int osThreadId, long timestamp, out int managedThreadId, out long requestId)
    {
        if (_slots.TryGetValue(osThreadId, out ThreadSlot? slot))
        {
            managedThreadId = slot.ManagedThreadId;
            return slot.WasMonitoredAt(timestamp, out requestId);
        }

        managedThreadId = 0;
        requestId = 0;
        return false;
    }

    private ThreadSlot Register()
    {
        // This thread's slot here already, if another instance took the thread-static cache since
        // (two loggers in one process): replacing it would orphan the slot that a synchronous
        // request's cached context still writes to, and its samples would be filtered out.
        if (_slots.TryGetValue(OsThread.CurrentId, out ThreadSlot? mine) && mine.IsOwnedBy(Thread.CurrentThread))
        {
            t_owner = this;
            t_slot = mine;
            return mine;
        }

        var slot = new ThreadSlot(OsThread.CurrentId, Environment.CurrentManagedThreadId, Thread.CurrentThread);
        if (_slots.Count >= PruneAbove)
        {
            Prune();
        }

        // An OS id can be reused by a new thread once the old one ended: the new slot replaces it.
        _slots[slot.OsThreadId] = slot;
        t_owner = this;
        t_slot = slot;
        return slot;
    }

    private void Prune()
    {
        foreach (KeyValuePair<int, ThreadSlot> entry in _slots)
        {
            if (!entry.Value.IsAlive)
            {
                _slots.TryRemove(entry);
            }
        }
    }

    /// <summary>
    /// Forgets threads that ended at least <paramref name="grace"/> ago (as first seen by an earlier
    /// call): their samples can still reach the sampler late, up to ~1.3 s after their tick, and need
    /// the slot until then. Called by one thread (the long-request logger's, about once a second), so
    /// that threads that come and go leave nothing behind rather than waiting for the bound of 4 096.
    /// </summary>
    /// <returns>The number of slots removed.</returns>
    internal int PruneEnded(long now, TimeSpan grace)
    {
        long graceTicks = (long)(grace.TotalSeconds * Stopwatch.Frequency);
        int removed = 0;
        foreach (KeyValuePair<int, ThreadSlot> entry in _slots)
        {
            ThreadSlot slot = entry.Value;
            if (slot.IsAlive)
            {
                continue;
            }

            if (slot.SeenEndedAt == 0)
            {
                slot.SeenEndedAt = now;
            }
            else if (now - slot.SeenEndedAt >= graceTicks && _slots.TryRemove(entry))
            {
                removed++;
            }
        }

        return removed;
    }

    private static void Exit(ThreadSlot slot, long timestamp) => slot.Exit(timestamp);

    /// <summary>Ends the monitoring begun by <see cref="EnterCurrentThread()"/>.</summary>
    public readonly struct Scope : IDisposable, IEquatable<Scope>
    {
        private readonly MonitoredThreads? _owner;
        private readonly ThreadSlot? _slot;

        internal Scope(MonitoredThreads owner, ThreadSlot slot)
        {
            _owner = owner;
            _slot = slot;
        }

        /// <summary>Stops monitoring the thread (once per <see cref="EnterCurrentThread()"/>; call it on the same thread).</summary>
        public void Dispose()
        {
            if (_slot is not null)
            {
                MonitoredThreads.Exit(_slot, Stopwatch.GetTimestamp());
            }
        }

        /// <inheritdoc/>
        public bool Equals(Scope other) => ReferenceEquals(_owner, other._owner) && ReferenceEquals(_slot, other._slot);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is Scope other && Equals(other);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(_owner, _slot);

        /// <summary>Compares two scopes.</summary>
        public static bool operator ==(Scope left, Scope right) => left.Equals(right);

        /// <summary>Compares two scopes.</summary>
        public static bool operator !=(Scope left, Scope right) => !left.Equals(right);
    }
}

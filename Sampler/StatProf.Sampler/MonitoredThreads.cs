using System.Collections.Concurrent;

namespace StatProf.Sampler;

/// <summary>
/// The threads whose samples a sampler in <see cref="SamplingMode.MonitoredThreads"/> mode keeps.
/// Entering is counted: a thread stays monitored until it has exited as many times as it entered.
/// Thread-safe; lookups by the sampler thread take no lock and allocate nothing.
/// </summary>
public sealed class MonitoredThreads
{
    private readonly ConcurrentDictionary<int, Entry> _threads = new();

    /// <summary>Number of threads monitored now.</summary>
    public int Count => _threads.Count;

    /// <summary>Marks the calling thread as monitored until the returned scope is disposed.</summary>
    public Scope EnterCurrentThread()
    {
        int osThreadId = OsThread.CurrentId;
        Enter(osThreadId, Environment.CurrentManagedThreadId);
        return new Scope(this, osThreadId);
    }

    /// <summary>Marks a thread as monitored.</summary>
    /// <param name="osThreadId">Its OS id (<see cref="OsThread.CurrentId"/> on that thread).</param>
    /// <param name="managedThreadId">Its managed id, reported in its samples.</param>
    public void Enter(int osThreadId, int managedThreadId)
    {
        _threads.AddOrUpdate(
            osThreadId,
            static (_, managed) => new Entry(managed, 1),
            static (_, old, managed) => new Entry(managed, old.Count + 1),
            managedThreadId);
    }

    /// <summary>Undoes one <see cref="Enter"/> of the thread.</summary>
    public void Exit(int osThreadId)
    {
        while (_threads.TryGetValue(osThreadId, out Entry old))
        {
            bool done = old.Count <= 1
                ? _threads.TryRemove(new KeyValuePair<int, Entry>(osThreadId, old))
                : _threads.TryUpdate(osThreadId, old with { Count = old.Count - 1 }, old);
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>True when the thread is monitored; gives its managed id.</summary>
    public bool TryGet(int osThreadId, out int managedThreadId)
    {
        if (_threads.TryGetValue(osThreadId, out Entry entry))
        {
            managedThreadId = entry.ManagedThreadId;
            return true;
        }

        managedThreadId = 0;
        return false;
    }

    private readonly record struct Entry(int ManagedThreadId, int Count);

    /// <summary>Ends the monitoring begun by <see cref="EnterCurrentThread"/>.</summary>
    public readonly struct Scope : IDisposable, IEquatable<Scope>
    {
        private readonly MonitoredThreads? _owner;
        private readonly int _osThreadId;

        internal Scope(MonitoredThreads owner, int osThreadId)
        {
            _owner = owner;
            _osThreadId = osThreadId;
        }

        /// <summary>Stops monitoring the thread (once per <see cref="EnterCurrentThread"/>).</summary>
        public void Dispose() => _owner?.Exit(_osThreadId);

        /// <inheritdoc/>
        public bool Equals(Scope other) => ReferenceEquals(_owner, other._owner) && _osThreadId == other._osThreadId;

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is Scope other && Equals(other);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(_owner, _osThreadId);

        /// <summary>Compares two scopes.</summary>
        public static bool operator ==(Scope left, Scope right) => left.Equals(right);

        /// <summary>Compares two scopes.</summary>
        public static bool operator !=(Scope left, Scope right) => !left.Equals(right);
    }
}

namespace StatProf.Cli.Dump;

/// <summary>One thread of a <see cref="ThreadDump"/>.</summary>
/// <param name="OsId">The operating system's thread id.</param>
/// <param name="ManagedId">The managed thread id (<c>Environment.CurrentManagedThreadId</c>).</param>
/// <param name="Name">The managed thread name, else the OS thread name, else <c>null</c>.</param>
/// <param name="State">Running or waiting.</param>
/// <param name="Request">The HTTP request found among the thread's stack roots, if any.</param>
/// <param name="BlockedOn">What the thread is blocked in, for sync-over-async waits and locks.</param>
/// <param name="Frames">Frame names, innermost first; runtime frames in brackets.</param>
/// <param name="IsThreadPoolWorker">The thread is a thread-pool worker.</param>
/// <param name="Lines">Each frame's source file and line where a portable PDB gives it (null elsewhere), aligned with <paramref name="Frames"/>.</param>
internal sealed record ThreadSnapshot(
    int OsId,
    int ManagedId,
    string? Name,
    ThreadState State,
    HttpRequestInfo? Request,
    BlockInfo? BlockedOn,
    IReadOnlyList<string> Frames,
    bool IsThreadPoolWorker,
    IReadOnlyList<StatProf.Sampler.Internal.Symbols.SourceLocation?> Lines);

/// <summary>Whether a thread runs or waits.</summary>
internal enum ThreadState
{
    /// <summary>On the CPU or runnable: no wait frame and the OS says running.</summary>
    Running,

    /// <summary>In a wait (sleep, lock, event, task, I/O poll) or asleep for the OS.</summary>
    Waiting,
}

/// <summary>The method and path of an HTTP request in flight.</summary>
/// <param name="Method">GET, POST, ...</param>
/// <param name="Path">The request path (without the query string).</param>
internal sealed record HttpRequestInfo(string Method, string Path);

/// <summary>What a blocked thread waits for.</summary>
/// <param name="Kind">Sync-over-async or lock.</param>
/// <param name="Frame">The frame that blocks (e.g. <c>System.Threading.Tasks.Task.Wait</c>).</param>
/// <param name="OwnerOsId">For a lock: the OS id of the thread holding it, when the heap tells.</param>
/// <param name="OwnerManagedId">For a lock: the managed id of the thread holding it, when the heap tells.</param>
internal sealed record BlockInfo(BlockKind Kind, string Frame, int? OwnerOsId, int? OwnerManagedId);

/// <summary>The kinds of blocking <c>statprof dump</c> names.</summary>
internal enum BlockKind
{
    /// <summary>Waiting synchronously for a task or an event (Task.Wait, .Result, GetAwaiter().GetResult(), ManualResetEventSlim.Wait).</summary>
    SyncOverAsync,

    /// <summary>Waiting to enter a lock (Monitor.Enter, the lock statement, System.Threading.Lock).</summary>
    Lock,
}

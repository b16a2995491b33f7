namespace StatProf.Cli.Dump;

/// <summary>
/// What <c>statprof dump</c> read from a paused process: every managed thread with its stack
/// (innermost frame first), what it waits for and the HTTP request it serves, and how long the
/// target was paused to read them.
/// </summary>
/// <param name="ProcessId">The target's process id.</param>
/// <param name="ProcessName">The target's process name (from /proc, read before the pause).</param>
/// <param name="RuntimeVersion">The .NET runtime version of the target.</param>
/// <param name="PausedMs">Milliseconds the target was suspended: from the attach to the detach.</param>
/// <param name="Threads">The threads, in the runtime's thread-list order.</param>
internal sealed record ThreadDump(int ProcessId, string ProcessName, string RuntimeVersion, double PausedMs, IReadOnlyList<ThreadSnapshot> Threads)
{
    /// <summary>Threads blocked in a sync-over-async wait (Task.Wait, GetAwaiter().GetResult(), ...).</summary>
    public int SyncOverAsyncCount => Threads.Count(t => t.BlockedOn?.Kind == BlockKind.SyncOverAsync);

    /// <summary>Threads blocked entering a lock (Monitor.Enter / lock statement, System.Threading.Lock).</summary>
    public int LockCount => Threads.Count(t => t.BlockedOn?.Kind == BlockKind.Lock);

    /// <summary>
    /// The one-line verdict at the top of the dump: thread-pool starvation is likely when at least
    /// two thread-pool threads are blocked (sync-over-async or lock) and they are at least three
    /// quarters of the pool's workers (the pool injects a few extra threads when Task.Wait blocks
    /// a worker: those idle ones do not make the pool healthy).
    /// </summary>
    public string Summary
    {
        get
        {
            int running = Threads.Count(t => t.State == ThreadState.Running);
            var parts = new List<string> { $"{Threads.Count} threads", $"{running} running" };
            if (SyncOverAsyncCount > 0)
            {
                parts.Add($"{SyncOverAsyncCount} blocked in sync-over-async");
            }

            if (LockCount > 0)
            {
                parts.Add($"{LockCount} blocked on a lock");
            }

            int requests = Threads.Count(t => t.Request is not null);
            if (requests > 0)
            {
                parts.Add($"{requests} serving an HTTP request");
            }

            string summary = string.Join(", ", parts);
            int blockedPool = Threads.Count(t => t.IsThreadPoolWorker && t.BlockedOn is not null);
            int pool = Threads.Count(t => t.IsThreadPoolWorker);
            if (blockedPool >= 2 && blockedPool * 4 >= pool * 3)
            {
                summary += $": thread-pool starvation likely ({blockedPool} of {pool} pool threads blocked)";
            }

            return summary;
        }
    }
}

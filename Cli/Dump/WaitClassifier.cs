namespace StatProf.Cli.Dump;

/// <summary>
/// Reads what a thread waits for from its frames. The blocking region is the run of framework
/// frames (System.Threading.*, System.Runtime.CompilerServices.*, runtime frames) from the innermost
/// frame up to the first frame of other code: a sync-over-async frame there makes the thread
/// blocked in sync-over-async (even when the innermost frame is the Monitor.Wait inside
/// ManualResetEventSlim.Wait), else a lock-entering frame makes it blocked on a lock, else any wait
/// frame makes it waiting.
/// </summary>
internal static class WaitClassifier
{
    private static readonly string[] SyncOverAsync =
    [
        "System.Threading.Tasks.Task.Wait",
        "System.Threading.Tasks.Task.WaitAll",
        "System.Threading.Tasks.Task.WaitAny",
        "System.Threading.Tasks.Task.InternalWait",
        "System.Threading.Tasks.Task.InternalWaitCore",
        "System.Threading.Tasks.Task.SpinThenBlockingWait",
        "System.Threading.Tasks.Task.GetResultCore",
        "System.Threading.Tasks.Task.get_Result",
        "System.Runtime.CompilerServices.TaskAwaiter.GetResult",
        "System.Runtime.CompilerServices.TaskAwaiter.HandleNonSuccessAndDebuggerNotification",
        "System.Runtime.CompilerServices.TaskAwaiter.ValidateEnd",
        "System.Runtime.CompilerServices.ConfiguredTaskAwaitable.ConfiguredTaskAwaiter.GetResult",
    ];

    /// <summary>An event wait: sync-over-async on a thread-pool thread (it holds a pool thread the way Task.Wait does), a plain wait on a dedicated thread (Kestrel's timer waits so).</summary>
    private static readonly string[] PoolEventWait =
    [
        "System.Threading.ManualResetEventSlim.Wait",
    ];

    private static readonly string[] LockEntry =
    [
        "System.Threading.Monitor.Enter",
        "System.Threading.Monitor.ReliableEnter",
        "System.Threading.Monitor.TryEnter",
        "System.Threading.Monitor.ReliableEnterTimeout",
        "System.Threading.Lock.Enter",
        "System.Threading.Lock.TryEnterSlow",
        "System.Threading.Lock.EnterAndGetCurrentThreadId",
    ];

    private static readonly string[] Waits =
    [
        "System.Threading.Thread.Sleep",
        "System.Threading.Thread.SleepInternal",
        "System.Threading.Thread.Join",
        "System.Threading.WaitHandle.Wait",
        "System.Threading.Monitor.Wait",
        "System.Threading.SemaphoreSlim.Wait",
        "System.Threading.LowLevelLifoSemaphore.Wait",
        "System.Threading.LowLevelMonitor.Wait",
        "System.Threading.PortableThreadPool.WorkerThread.WorkerDoWork",
        "System.Threading.WaitSubsystem.Wait",
        "System.Threading.ThreadPoolWorkQueue.Dispatch",
        "Interop.Sys.WaitForSocketEvents",
        "Interop+Sys.WaitForSocketEvents",
        "Interop.Sys.Read",
        "Interop+Sys.Read",
        "Interop.Sys.Poll",
        "Interop+Sys.Poll",
    ];

    /// <summary>The blocking kind and the frame that shows it, or <c>null</c> when not blocked.</summary>
    public static (BlockKind Kind, string Frame)? Classify(IReadOnlyList<string> frames, bool threadPoolWorker)
    {
        // The outermost matching frame names the call the code made (Task.Wait rather than the
        // Monitor.Wait inside it; Monitor.Enter rather than its slow path).
        int end = RegionEnd(frames);
        string? syncOverAsync = null;
        string? lockEntry = null;
        for (int i = 0; i < end; i++)
        {
            string frame = frames[i];
            if (Matches(frame, SyncOverAsync) || (threadPoolWorker && Matches(frame, PoolEventWait)))
            {
                syncOverAsync = frame;
            }
            else if (Matches(frame, LockEntry))
            {
                lockEntry = frame;
            }
        }

        return syncOverAsync is not null ? (BlockKind.SyncOverAsync, syncOverAsync)
            : lockEntry is not null ? (BlockKind.Lock, lockEntry)
            : null;
    }

    /// <summary>Whether the frames show a wait of any kind (blocked, asleep, idle, polling).</summary>
    public static bool IsWaiting(IReadOnlyList<string> frames)
    {
        int end = RegionEnd(frames);
        for (int i = 0; i < end; i++)
        {
            if (Matches(frames[i], SyncOverAsync) || Matches(frames[i], PoolEventWait) || Matches(frames[i], LockEntry) || Matches(frames[i], Waits))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A thread-pool worker: its outermost managed frames are the pool's worker loop.</summary>
    public static bool IsThreadPoolWorker(IReadOnlyList<string> frames) =>
        frames.Any(f => f.StartsWith("System.Threading.PortableThreadPool.WorkerThread.", StringComparison.Ordinal));

    private static int RegionEnd(IReadOnlyList<string> frames)
    {
        int i = 0;
        while (i < frames.Count && IsFramework(frames[i]))
        {
            i++;
        }

        // The first frame of other code is part of the region only as its caller: the waits it made are before it.
        return i;
    }

    private static bool IsFramework(string frame) =>
        frame.StartsWith('[')
        || frame.StartsWith("System.Threading.", StringComparison.Ordinal)
        || frame.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal)
        || frame.StartsWith("Interop", StringComparison.Ordinal);

    private static bool Matches(string frame, string[] names)
    {
        foreach (string name in names)
        {
            if (frame.StartsWith(name, StringComparison.Ordinal)
                && (frame.Length == name.Length || frame[name.Length] is '(' or '<' or '`' or '_' or '.' || char.IsAsciiDigit(frame[name.Length])))
            {
                return true;
            }
        }

        return false;
    }
}

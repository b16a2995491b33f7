using System.Runtime.CompilerServices;

namespace BlockedTarget;

/// <summary>
/// Threads in known states for <c>statprof dump</c>: <c>Spinner</c> burns CPU in
/// <see cref="Workload.Spin"/>; <c>LockHolder</c> holds <see cref="Workload.Gate"/> and sleeps;
/// <c>LockWaiter</c> blocks entering it; <c>TaskWaiter</c> blocks in <c>Task.Wait</c> on a task that
/// never completes. Prints "ready" once every thread is in place, then runs until killed
/// (or until the optional number of seconds in the first argument has passed). A second
/// argument N queues N thread-pool work items that each block in Task.Wait forever (starvation).
/// A third argument <c>lock-object</c> adds <c>LockObjHolder</c>, holding a
/// <see cref="System.Threading.Lock"/>, and <c>LockObjWaiter</c>, blocked entering it.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        int seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 600;
        using var holding = new ManualResetEventSlim();
        Start("Spinner", Workload.Spin);
        Start("LockHolder", () => Workload.HoldLock(holding));
        holding.Wait();
        Start("LockWaiter", Workload.EnterLock);
        Start("TaskWaiter", Workload.WaitForever);
        int waiters = 2;
        if (args.Length > 2 && args[2] == "lock-object")
        {
            waiters++;
            // The .NET 9+ System.Threading.Lock: `lock` on a Lock object enters it, not a monitor.
            using var holdingLock = new ManualResetEventSlim();
            Start("LockObjHolder", () => Workload.HoldLockObject(holdingLock));
            holdingLock.Wait();
            Start("LockObjWaiter", Workload.EnterLockObject);
        }

        int starve = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        for (int i = 0; i < starve; i++)
        {
            ThreadPool.QueueUserWorkItem(_ => Workload.WaitForever());
        }

        // Every waiter, the pool's work items included (the pool injects threads for them one or two a
        // second, slower on a loaded machine), has come to its wait; then a little time to enter it.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref Workload.Arrived) < waiters + starve && clock.Elapsed < TimeSpan.FromSeconds(50))
        {
            Thread.Sleep(50);
        }

        Thread.Sleep(500);
        Console.WriteLine("ready");
        Console.Out.Flush();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return 0;
    }

    private static void Start(string name, Action body)
    {
        var thread = new Thread(() => body()) { Name = name, IsBackground = true };
        thread.Start();
    }
}

/// <summary>The methods the dump tests look for by name.</summary>
internal static class Workload
{
    /// <summary>The monitor <see cref="HoldLock"/> holds and <see cref="EnterLock"/> waits for.</summary>
    public static readonly object Gate = new();

    private static long spins;

    /// <summary>Threads that have come to their blocking wait (counted just before it).</summary>
    public static int Arrived;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Spin()
    {
        while (true)
        {
            spins = unchecked(spins * 31 + 7);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void HoldLock(ManualResetEventSlim holding)
    {
        lock (Gate)
        {
            holding.Set();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    /// <summary>The Lock <see cref="HoldLockObject"/> holds and <see cref="EnterLockObject"/> waits for (third argument <c>lock-object</c>).</summary>
    public static readonly Lock LockGate = new();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void HoldLockObject(ManualResetEventSlim holding)
    {
        lock (LockGate)
        {
            holding.Set();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EnterLockObject()
    {
        Interlocked.Increment(ref Arrived);
        lock (LockGate)
        {
            Console.WriteLine("never");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EnterLock()
    {
        Interlocked.Increment(ref Arrived);
        lock (Gate)
        {
            Console.WriteLine("never");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WaitForever()
    {
        var never = new TaskCompletionSource();
        Interlocked.Increment(ref Arrived);
        never.Task.Wait();
    }
}

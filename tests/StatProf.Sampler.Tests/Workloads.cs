using System.Runtime.CompilerServices;

namespace StatProf.Sampler.Tests;

/// <summary>Real threads doing known things, for the sampler to see.</summary>
internal sealed class Workloads : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];

    /// <summary>Starts a thread that spins in <see cref="SpinInKnownMethod"/>; returns its OS id.</summary>
    public int StartSpinner(Action<int>? onStart = null) => Start(token => SpinInKnownMethod(token), onStart);

    /// <summary>Starts a thread that sleeps in <see cref="SleepInKnownMethod"/>; returns its OS id.</summary>
    public int StartSleeper(Action<int>? onStart = null) => Start(token => SleepInKnownMethod(token), onStart);

    private int Start(Action<CancellationToken> body, Action<int>? onStart)
    {
        int osId = 0;
        using var started = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            osId = OsThread.CurrentId;
            onStart?.Invoke(osId);
            started.Set();
            body(_stop.Token);
        })
        { IsBackground = true };
        thread.Start();
        started.Wait();
        _threads.Add(thread);
        return osId;
    }

    /// <summary>
    /// Starts a thread that alternates, every 5 ms, between <see cref="MonitoredWork"/> inside a
    /// monitored scope and <see cref="UnmonitoredWork"/> outside it; returns its OS id.
    /// </summary>
    public int StartAlternating(MonitoredThreads monitored) => Start(token =>
    {
        while (!token.IsCancellationRequested)
        {
            using (monitored.EnterCurrentThread())
            {
                MonitoredWork(TimeSpan.FromMilliseconds(5));
            }

            UnmonitoredWork(TimeSpan.FromMilliseconds(5));
        }
    }, null);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double MonitoredWork(TimeSpan duration) => SpinFor(duration) + 1; // "+ 1": no tail call, the frame stays

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double UnmonitoredWork(TimeSpan duration) => SpinFor(duration) + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double SpinFor(TimeSpan duration)
    {
        long end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        double x = 0;
        while (System.Diagnostics.Stopwatch.GetTimestamp() < end)
        {
            x += Math.Sqrt(x + 1);
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void SpinInKnownMethod(CancellationToken stop)
    {
        double x = 0;
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < 10_000; i++)
            {
                x += Math.Sqrt(i + x);
            }
        }

        GC.KeepAlive(x);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void SleepInKnownMethod(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            stop.WaitHandle.WaitOne(200);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (Thread t in _threads)
        {
            t.Join();
        }

        _stop.Dispose();
    }
}

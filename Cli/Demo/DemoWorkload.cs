using System.Runtime.CompilerServices;
using StatProf.Sampler;

namespace StatProf.Cli.Demo;

/// <summary>
/// The demo's workload, on real threads, taken from the talk's case studies: an order page that
/// re-prices every line through small helpers ("death by 1000 cuts"), and a report page that blocks
/// on a lock a periodic backup job holds. Request threads are entered as monitored threads.
/// </summary>
internal sealed class DemoWorkload : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private readonly object _databaseLock = new();

    public DemoWorkload(MonitoredThreads monitored)
    {
        Start("orders", () => OrderRequests(monitored, _stop.Token));
        Start("reports", () => ReportRequests(monitored, _stop.Token));
        Start("backup", () => BackupJob(_stop.Token));
    }

    /// <summary>Names of the request threads, by OS thread id.</summary>
    public Dictionary<int, string> ThreadNames { get; } = [];

    private void Start(string name, Action body)
    {
        using var started = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            lock (ThreadNames)
            {
                ThreadNames[OsThread.CurrentId] = name;
            }

            started.Set();
            body();
        })
        { IsBackground = true, Name = name };
        thread.Start();
        started.Wait();
        _threads.Add(thread);
    }

    private static void OrderRequests(MonitoredThreads monitored, CancellationToken stop)
    {
        var random = new Random(2013); // fixed seed: the same orders on every run
        while (!stop.IsCancellationRequested)
        {
            using (monitored.EnterCurrentThread())
            {
                OrderPage.Render(random.Next(200, 400));
            }
        }
    }

    private void ReportRequests(MonitoredThreads monitored, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using (monitored.EnterCurrentThread())
            {
                ReportPage.Render(_databaseLock);
            }

            stop.WaitHandle.WaitOne(10);
        }
    }

    private void BackupJob(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            lock (_databaseLock)
            {
                stop.WaitHandle.WaitOne(400); // the backup holds the database for a long time
            }

            stop.WaitHandle.WaitOne(100);
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

    private static class OrderPage
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static decimal Render(int lines)
        {
            decimal total = 0;
            for (int line = 0; line < lines; line++)
            {
                total += PriceLine(line);
            }

            return total;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static decimal PriceLine(int line) => Round(Tax(Discount(BasePrice(line))));

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static decimal BasePrice(int line)
        {
            decimal price = 10m + (line % 17);
            for (int i = 0; i < 40; i++) price = (price * 1.0001m) + 0.0001m;
            return price;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static decimal Discount(decimal price)
        {
            for (int i = 0; i < 30; i++) price *= 0.9999m;
            return price;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static decimal Tax(decimal price)
        {
            for (int i = 0; i < 30; i++) price += price * 0.00001m;
            return price;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static decimal Round(decimal price) => Math.Round(price, 2, MidpointRounding.ToEven);
    }

    private static class ReportPage
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Render(object databaseLock) => QueryDatabase(databaseLock);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int QueryDatabase(object databaseLock)
        {
            lock (databaseLock)
            {
                return databaseLock.GetHashCode() & 0xFF;
            }
        }
    }
}

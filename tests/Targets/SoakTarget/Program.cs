// SoakTarget: StatProf's LongRequestLogger in continuous mode under a workload of high stack
// diversity, for minutes or hours; prints one JSON line of figures every report period and a last
// line with "done": true.
//
//   dotnet SoakTarget.dll MINUTES RECORD_DIRECTORY [REPORT_SECONDS]
//
// Workload: 3 worker slots; each worker thread serves 25 requests and ends, and a new thread takes
// its slot (threads are created and end all the time). A request walks one of 2^9 + 2^10 + 2^11 =
// 3 584 paths through two methods (A/B at 9 to 11 levels, chosen by a fixed-seed random), spins a
// little at the leaf and sleeps a little: a few thousand distinct stacks, every request slow enough
// to be dumped (threshold 20 ms, interval 10 ms). Record files rotate at 1 MiB and are capped at
// 4 MiB in total.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using StatProf.Sampler;

double minutes = double.Parse(args[0], CultureInfo.InvariantCulture);
string directory = args[1];
double reportSeconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 5;

var options = new LongRequestLoggerOptions
{
    Threshold = TimeSpan.FromMilliseconds(20),
    Interval = TimeSpan.FromMilliseconds(10),
    ActivationLead = TimeSpan.FromMilliseconds(10),
    Continuous = true,
    Directory = directory,
    FilePrefix = "soak",
    MaxFileBytes = 1L << 20,
    MaxTotalBytes = 4L << 20,
};
options.Sampler.TrimInterval = TimeSpan.FromSeconds(10);
using var logger = new LongRequestLogger(options);

using var stop = new CancellationTokenSource();
long requests = 0;
long threadsStarted = 0;
var slots = new Thread[3];
var clock = Stopwatch.StartNew();
var end = TimeSpan.FromMinutes(minutes);
var nextReport = TimeSpan.Zero;
int seedCounter = 0;

while (true)
{
    for (int i = 0; i < slots.Length; i++)
    {
        if (slots[i] is null || !slots[i].IsAlive)
        {
            int seed = Interlocked.Increment(ref seedCounter); // fixed seeds: the same mix every run
            slots[i] = new Thread(() => Workload.Serve(logger, seed, 25, ref requests, stop.Token)) { IsBackground = true, Name = "soak worker" };
            slots[i].Start();
            threadsStarted++;
        }
    }

    bool last = clock.Elapsed >= end;
    if (clock.Elapsed >= nextReport || last)
    {
        nextReport += TimeSpan.FromSeconds(reportSeconds);
        Report(last);
    }

    if (last)
    {
        break;
    }

    Thread.Sleep(20);
}

stop.Cancel();
foreach (Thread t in slots)
{
    t.Join();
}

return 0;

void Report(bool done)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    LongRequestLoggerStatistics stats = logger.GetStatistics();
    long filesBytes = Directory.Exists(directory) ? new DirectoryInfo(directory).GetFiles("soak-*.jsonl").Sum(f => f.Length) : 0;
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        managedBytes = GC.GetTotalMemory(false),
        heapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
        rssBytes = ProcStatus("VmRSS:"),
        threads = Directory.GetDirectories("/proc/self/task").Length,
        fds = Directory.GetFiles("/proc/self/fd").Length,
        requests = Interlocked.Read(ref requests),
        threadsStarted,
        stacks = logger.Sampler.Stacks.StackCount,
        samplesKept = stats.Sampler.SamplesKept,
        trims = stats.Sampler.Trims,
        faults = stats.Sampler.Faults,
        written = stats.RecordsWritten,
        dropped = stats.RecordsDropped,
        filesBytes,
        done,
    }));
}

static long ProcStatus(string key)
{
    foreach (string line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(key, StringComparison.Ordinal))
        {
            return long.Parse(line.AsSpan(key.Length).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }

    return 0;
}

internal static class Workload
{
    public static void Serve(LongRequestLogger logger, int seed, int count, ref long requests, CancellationToken stop)
    {
        var random = new Random(seed);
        for (int i = 0; i < count && !stop.IsCancellationRequested; i++)
        {
            int levels = 9 + random.Next(3);
            int path = random.Next(1 << levels);
            using (logger.BeginRequest($"GET /soak/{path}?token=soak-secret-{i}", "http"))
            {
                GC.KeepAlive(Branch(path, levels));
            }

            Interlocked.Increment(ref requests);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Branch(int path, int level) =>
        level == 0 ? Leaf() : (path & 1) == 0 ? A(path >> 1, level - 1) : B(path >> 1, level - 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double A(int path, int level) => Branch(path, level) + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double B(int path, int level) => Branch(path, level) + 2;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Leaf()
    {
        long until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100; // 10 ms of work
        double x = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            x += Math.Sqrt(x + 1);
        }

        Thread.Sleep(30); // and 30 ms of waiting: a request of ~40 ms, past the 20 ms threshold
        return x;
    }
}

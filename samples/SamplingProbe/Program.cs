// SamplingProbe: embeds StatProf's sampler in a process with one spinning and one sleeping thread,
// samples for a while and prints one JSON object (or one error line on stderr, exit code 2).
//
//   dotnet run --project samples/SamplingProbe -- [seconds] [--diverse] [--levels N] [--workload-only]
//
// --workload-only runs the same two threads without StatProf's sampler, printing "ready" once they
// run: a plain workload for outside tools (tests record it with an EventPipe session, as dotnet-trace does).
//
// --diverse makes the spinning thread walk thousands of distinct stacks (2^N paths through two
// methods at N levels, N = 12 by default: at most about 5 * 2^N distinct stacks with their partial
// paths), to show that memory plateaus with many distinct stacks.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using StatProf.Sampler;

double seconds = args.Length > 0 && double.TryParse(args[0], System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 3;
bool diverse = args.Contains("--diverse");
int levelsAt = Array.IndexOf(args, "--levels");
int levels = levelsAt >= 0 && levelsAt + 1 < args.Length && int.TryParse(args[levelsAt + 1], out int l) ? Math.Clamp(l, 1, 20) : 12;

if (args.Contains("--workload-only"))
{
    using var done = new CancellationTokenSource();
    var spin = new Thread(() => Workload.Spin(diverse, levels, done.Token)) { IsBackground = true, Name = "spin" };
    var sleep = new Thread(() => Workload.Sleep(done.Token)) { IsBackground = true, Name = "sleep" };
    spin.Start();
    sleep.Start();
    Console.WriteLine("ready");
    Thread.Sleep(TimeSpan.FromSeconds(seconds));
    done.Cancel();
    return 0;
}

using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads, TrimInterval = TimeSpan.FromSeconds(10) });
using var stop = new CancellationTokenSource();
var spinner = new Thread(() => Workload.Spin(diverse, levels, stop.Token)) { IsBackground = true, Name = "spin" };
var sleeper = new Thread(() => Workload.Sleep(stop.Token)) { IsBackground = true, Name = "sleep" };
spinner.Start();
sleeper.Start();

try
{
    sampler.Start();
}
catch (SamplerUnavailableException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var buffer = new ThreadSample[8192];
var memory = new List<object>();
long spinSamples = 0;
long sleepSamples = 0;
var clock = Stopwatch.StartNew();
var nextMemory = TimeSpan.Zero;
while (clock.Elapsed.TotalSeconds < seconds)
{
    Thread.Sleep(50);
    int n;
    while ((n = sampler.Drain(buffer)) > 0)
    {
        foreach (ThreadSample sample in buffer.AsSpan(0, n))
        {
            if (sample.OsThreadId == Workload.SpinThreadId) spinSamples++;
            else if (sample.OsThreadId == Workload.SleepThreadId) sleepSamples++;
        }
    }

    if (clock.Elapsed >= nextMemory)
    {
        nextMemory += TimeSpan.FromSeconds(Math.Max(1, seconds / 20));
        GC.Collect();
        memory.Add(new
        {
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            managedMB = Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1),
            workingSetMB = Math.Round(Process.GetCurrentProcess().WorkingSet64 / 1048576.0, 1),
            stacks = sampler.Stacks.StackCount,
        });
    }
}

sampler.Stop();
stop.Cancel();
SamplerCounters c = sampler.GetCounters();
Console.WriteLine(JsonSerializer.Serialize(new
{
    tickMs = sampler.MeasuredTickInterval?.TotalMilliseconds,
    sessionStartMs = sampler.LastSessionStartLatency.TotalMilliseconds,
    rundownMs = sampler.LastRundownLatency.TotalMilliseconds,
    ticks = c.Ticks,
    seen = c.SamplesSeen,
    kept = c.SamplesKept,
    dropped = c.DroppedByOverflow,
    lost = c.LostByRuntime,
    trims = c.Trims,
    stacks = sampler.Stacks.StackCount,
    frames = sampler.Stacks.FrameCount,
    spinSamples,
    sleepSamples,
    memory,
}));
return 0;

internal static class Workload
{
    public static volatile int SpinThreadId;
    public static volatile int SleepThreadId;

    public static void Spin(bool diverse, int levels, CancellationToken stop)
    {
        SpinThreadId = OsThread.CurrentId;
        var random = new Random(12345); // fixed seed: the same stack mix on every run
        double x = 0;
        while (!stop.IsCancellationRequested)
        {
            x += diverse ? Branch(random.Next(1 << levels), levels) : Burn(1000);
        }

        GC.KeepAlive(x);
    }

    public static void Sleep(CancellationToken stop)
    {
        SleepThreadId = OsThread.CurrentId;
        while (!stop.IsCancellationRequested)
        {
            Thread.Sleep(20);
        }
    }

    // 2^levels distinct paths through A/B: thousands of distinct stacks.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Branch(int path, int level) =>
        level == 0 ? Burn(200) : (path & 1) == 0 ? A(path >> 1, level - 1) : B(path >> 1, level - 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double A(int path, int level) => Branch(path, level) + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double B(int path, int level) => Branch(path, level) + 2;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Burn(int n)
    {
        double x = 0;
        for (int i = 0; i < n; i++) x += Math.Sqrt(i + x);
        return x;
    }
}

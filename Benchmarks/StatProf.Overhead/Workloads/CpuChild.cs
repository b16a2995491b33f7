using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using StatProf.Overhead.Harness;
using StatProf.Sampler;

namespace StatProf.Overhead.Workloads;

/// <summary>
/// The CPU-bound child: <c>cpu --profiler KEY --workers N [--parked K] [--probe] --seconds S --records DIR</c>.
/// <list type="bullet">
/// <item>N worker threads repeat one fixed, deterministic operation (<see cref="Operation"/>, the same
/// arithmetic every time); the throughput is operations per second, the latency of each operation is
/// kept (p50/p99). With StatProf embedded, every operation runs inside a monitor scope
/// (<see cref="LongRequestLogger.BeginRequest"/>), as a request would.</item>
/// <item>K parked threads (blocked on an event under a few frames): they add nothing to the work but
/// every one of them is walked at every tick.</item>
/// <item>With <c>--probe</c>, one probe thread spins on <see cref="Stopwatch.GetTimestamp"/> and keeps
/// every gap of at least <see cref="GapThresholdMicroseconds"/> in its own progress: the pauses it
/// suffered, a tick's stop-the-world among them.</item>
/// <item>After the go, a warm-up until the driver says <see cref="ChildProtocol.Measure"/> (measured
/// apart: the start cost), then the S measured seconds.</item>
/// </list>
/// </summary>
internal static class CpuChild
{
    /// <summary>A gap in the probe's progress shorter than this is its own loop, not a pause.</summary>
    public const double GapThresholdMicroseconds = 20;

    private const int MaxLatencies = 1 << 20;
    private const int MaxGaps = 1 << 20;

    private static volatile int s_phase; // 0 warm-up, 1 measuring, 2 done

    /// <summary>Spacing of the workers' operation counters: one cache line each (no false sharing).</summary>
    private const int CounterStride = 16;

    public static int Run(string[] args)
    {
        Profiler profiler = ProfilerExtensions.Parse(ChildProtocol.Option(args, "--profiler", "none"));
        int workers = ChildProtocol.IntOption(args, "--workers", Environment.ProcessorCount);
        int parked = ChildProtocol.IntOption(args, "--parked", 0);
        bool probe = args.Contains("--probe");
        double seconds = ChildProtocol.DoubleOption(args, "--seconds", 5);
        string records = ChildProtocol.Option(args, "--records", Path.Combine(Path.GetTempPath(), "statprof-overhead"));

        using var release = new ManualResetEventSlim(false);
        var parkedThreads = new Thread[parked];
        for (int i = 0; i < parked; i++)
        {
            parkedThreads[i] = new Thread(() => Park(8, release), 256 * 1024) { IsBackground = true, Name = "parked" };
            parkedThreads[i].Start();
        }

        LongRequestLogger? logger = null;
        if (profiler.EmbedsStatProf())
        {
            var options = new LongRequestLoggerOptions();
            EmbeddedStatProf.Configure(options, profiler, records);
            logger = new LongRequestLogger(options);
            if (profiler.SamplesContinuously() && !EmbeddedStatProf.WaitUntilSampling(logger, TimeSpan.FromSeconds(60)))
            {
                Console.Error.WriteLine($"cpu child: StatProf's sampling session did not start within 60 s ({logger.Sampler.LastFault?.Message ?? "no fault reported"})");
                logger.Dispose();
                return ChildProtocol.SetupFailed;
            }
        }

        var latencies = new long[workers][];
        var counts = new int[workers];
        var done = new long[workers * CounterStride]; // every operation, warm-up included
        var threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            int index = w;
            latencies[w] = new long[MaxLatencies];
            threads[w] = new Thread(() => Work(logger, latencies[index], ref counts[index], ref done[index * CounterStride])) { IsBackground = true, Name = $"worker {index}" };
            threads[w].Start();
        }

        long[] gaps = probe ? new long[MaxGaps] : [];
        int gapCount = 0;
        long probeLoops = 0;
        Thread? probeThread = probe ? new Thread(() => Probe(gaps, ref gapCount, ref probeLoops)) { IsBackground = true, Name = "probe" } : null;
        probeThread?.Start();

        Thread.Sleep(1000); // JIT, tiering of the operation and the logger's start before the driver is told to go
        Console.WriteLine(ChildProtocol.Ready);
        if (Console.ReadLine() != ChildProtocol.Go)
        {
            return 0; // the driver went away
        }

        using Process self = Process.GetCurrentProcess();
        TimeSpan warmStart = self.TotalProcessorTime;
        long warmOps = Done(done, workers);
        if (Console.ReadLine() != ChildProtocol.Measure)
        {
            return 0; // the driver went away
        }

        self.Refresh();
        TimeSpan cpuStart = self.TotalProcessorTime;
        long warmedOps = Done(done, workers) - warmOps;
        double warmUpCpuPerOp = warmedOps == 0 ? 0 : (cpuStart - warmStart).TotalMilliseconds / warmedOps;
        Console.WriteLine(ChildProtocol.Measuring);
        var threadsAtStart = ThreadCpu.Snapshot(Environment.ProcessId);
        int gcsAtStart = GC.CollectionCount(0);
        long allocatedAtStart = GC.GetTotalAllocatedBytes();
        long started = Stopwatch.GetTimestamp();
        s_phase = 1;
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        var threadsAtEnd = ThreadCpu.Snapshot(Environment.ProcessId); // while the workers still run
        int gcs = GC.CollectionCount(0) - gcsAtStart;
        long allocated = GC.GetTotalAllocatedBytes() - allocatedAtStart;
        s_phase = 2;
        long ended = Stopwatch.GetTimestamp();
        self.Refresh();
        TimeSpan cpu = self.TotalProcessorTime - cpuStart;
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        probeThread?.Join();
        double elapsed = Stopwatch.GetElapsedTime(started, ended).TotalSeconds;

        long[] all = latencies.SelectMany((l, i) => l.Take(counts[i])).ToArray();
        Array.Sort(all);
        long[] gapSpan = gaps.Take(gapCount).ToArray();
        Array.Sort(gapSpan);
        LongRequestLoggerStatistics? stats = logger?.GetStatistics();
        var result = new CpuResult(
            Operations: all.Length,
            Seconds: elapsed,
            OperationsPerSecond: all.Length / elapsed,
            LatencyP50Ms: Milliseconds(Percentile(all, 0.50)),
            LatencyP99Ms: Milliseconds(Percentile(all, 0.99)),
            CpuMsPerOperation: all.Length == 0 ? 0 : cpu.TotalMilliseconds / all.Length,
            WarmUpOperations: warmedOps,
            WarmUpCpuMsPerOperation: warmUpCpuPerOp,
            WindowStartTimestamp: started,
            WindowEndTimestamp: ended,
            ThreadCpuMsPerSecond: ThreadCpu.PerSecondByKind(threadsAtStart, threadsAtEnd, Stopwatch.GetElapsedTime(started, ended).TotalSeconds),
            GcsPerSecond: gcs / elapsed,
            AllocatedMbPerSecond: allocated / 1e6 / elapsed,
            Threads: Process.GetCurrentProcess().Threads.Count,
            ProbeLoopsPerSecond: probe ? probeLoops / elapsed : 0,
            Gaps: gapSpan.Length,
            GapsPerSecond: gapSpan.Length / elapsed,
            GapP50Us: Microseconds(Percentile(gapSpan, 0.50)),
            GapP99Us: Microseconds(Percentile(gapSpan, 0.99)),
            GapMaxUs: Microseconds(gapSpan.Length == 0 ? 0 : gapSpan[^1]),
            PausedFraction: Stopwatch.GetElapsedTime(0, gapSpan.Sum()).TotalSeconds / elapsed,
            StatProfSampling: stats?.IsSampling ?? false,
            StatProfTicks: stats?.Sampler.Ticks ?? 0,
            StatProfActivations: stats?.Activations ?? 0,
            StatProfSlowRequests: stats?.SlowRequests ?? 0);
        release.Set();
        Console.WriteLine(ChildProtocol.ResultPrefix + JsonSerializer.Serialize(result, ResultJson.Default.CpuResult));
        logger?.Dispose();
        return 0;
    }

    private static long Done(long[] done, int workers)
    {
        long sum = 0;
        for (int w = 0; w < workers; w++)
        {
            sum += Volatile.Read(ref done[w * CounterStride]);
        }

        return sum;
    }

    private static void Work(LongRequestLogger? logger, long[] latencies, ref int count, ref long done)
    {
        double sink = 0;
        while (s_phase < 2)
        {
            long start = Stopwatch.GetTimestamp();
            if (logger is null)
            {
                sink += Operation();
            }
            else
            {
                using RequestScope scope = logger.BeginRequest("cpu-operation", "job");
                sink += Operation();
            }

            long end = Stopwatch.GetTimestamp();
            Volatile.Write(ref done, done + 1);
            if (s_phase == 1 && count < latencies.Length)
            {
                latencies[count++] = end - start;
            }
        }

        GC.KeepAlive(sink);
    }

    /// <summary>
    /// The fixed operation: 40 000 square roots in a dependent chain (about 0.1–0.3 ms here); the
    /// same arithmetic every time, so every configuration does the same work per operation.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double Operation()
    {
        double x = 1;
        for (int i = 0; i < 40_000; i++)
        {
            x = Math.Sqrt(x + i);
        }

        return x;
    }

    private static void Probe(long[] gaps, ref int count, ref long loops)
    {
        long threshold = (long)(GapThresholdMicroseconds * Stopwatch.Frequency / 1_000_000);
        while (s_phase == 0)
        {
            Thread.SpinWait(100);
        }

        long last = Stopwatch.GetTimestamp();
        long n = 0;
        while (s_phase == 1)
        {
            long now = Stopwatch.GetTimestamp();
            long gap = now - last;
            if (gap >= threshold && count < gaps.Length)
            {
                gaps[count++] = gap;
            }

            last = now;
            n++;
        }

        loops = n;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Park(int depth, ManualResetEventSlim release)
    {
        if (depth > 0)
        {
            Park(depth - 1, release);
        }
        else
        {
            release.Wait();
        }
    }

    private static long Percentile(long[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}

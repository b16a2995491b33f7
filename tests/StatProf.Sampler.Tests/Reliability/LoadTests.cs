using System.Diagnostics;
using System.Text.Json;

namespace StatProf.Sampler.Tests.Reliability;

/// <summary>
/// Load and overflow: a thousand threads sampled at once, and a disk that fills up under the
/// long-request logger. The host keeps serving, every loss is counted, and record files stay valid
/// JSON lines up to their last complete line.
/// </summary>
[Collection(RealSampling.Name)]
public sealed class LoadTests
{
    [Fact]
    public void AThousandThreadsAreSampledEveryLossIsCountedAndTheHostKeepsServing()
    {
        // A ring far smaller than a thousand threads need (1 000 samples a tick), drained slowly:
        // the ring overflows, and kept = drained + dropped + still pending must hold exactly.
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads, RingCapacity = 8192 });
        using var release = new ManualResetEventSlim();
        var threads = new List<Thread>();
        var ids = new HashSet<int>();
        for (int i = 0; i < 1000; i++)
        {
            var thread = new Thread(() =>
            {
                lock (ids)
                {
                    ids.Add(OsThread.CurrentId);
                }

                release.Wait();
            }, maxStackSize: 256 * 1024) { IsBackground = true };
            thread.Start();
            threads.Add(thread);
        }

        // The "host": a thread that serves 2 ms units of work; its longest gap between units says
        // whether sampling a thousand threads froze it.
        long served = 0;
        double worstGapMs = 0;
        using var stopServing = new CancellationTokenSource();
        var server = new Thread(() =>
        {
            long last = Stopwatch.GetTimestamp();
            while (!stopServing.IsCancellationRequested)
            {
                Workloads.MonitoredWork(TimeSpan.FromMilliseconds(2));
                long now = Stopwatch.GetTimestamp();
                worstGapMs = Math.Max(worstGapMs, (now - last) * 1000.0 / Stopwatch.Frequency);
                last = now;
                served++;
            }
        }) { IsBackground = true };
        server.Start();

        long drained = 0;
        var seen = new HashSet<int>();
        var buffer = new ThreadSample[1024];
        try
        {
            sampler.Start();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                Thread.Sleep(250);
                int n = sampler.Drain(buffer); // one small drain per 250 ms: slower than the producer
                drained += n;
                foreach (ThreadSample s in buffer.AsSpan(0, n))
                {
                    seen.Add(s.OsThreadId);
                }
            }

            sampler.Stop();
        }
        finally
        {
            stopServing.Cancel();
            release.Set();
            server.Join();
            threads.ForEach(t => t.Join());
        }

        SamplerCounters counters = sampler.GetCounters();
        Assert.True(counters.Ticks > 0);
        Assert.True(counters.DroppedByOverflow > 0, "the small ring overflowed");
        Assert.Equal(counters.SamplesKept, drained + counters.DroppedByOverflow + sampler.PendingSamples);
        Assert.True(seen.Count(ids.Contains) >= 500, $"only {seen.Count(ids.Contains)} of the 1 000 threads seen in the drained samples");
        Assert.Equal(0, counters.Faults);
        Assert.True(served > 100, $"the serving thread did only {served} units of work in 3 s");
        Console.WriteLine($"1000 threads: ticks {counters.Ticks}, kept {counters.SamplesKept}, dropped {counters.DroppedByOverflow}, lost by runtime {counters.LostByRuntime}, served {served}, worst gap {worstGapMs:F0} ms");
    }

    [Fact]
    public void ADiskThatFillsUpDropsAndCountsRecordsWhileRequestsRunOnAndFilesStayValid()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // platform-only: tmpfs
        }

        using var disk = SmallDisk.Mount(256 * 1024);

        // Another tenant of the disk took most of it: 24 KB are left, a few dozen records.
        File.WriteAllBytes(Path.Combine(disk.Path, "other-tenant.bin"), new byte[(256 - 24) * 1024]);
        var log = new ListLogger();
        var options = new LongRequestLoggerOptions
        {
            Threshold = TimeSpan.FromMilliseconds(30),
            Interval = TimeSpan.FromMilliseconds(10),
            ActivationLead = TimeSpan.FromMilliseconds(15),
            Continuous = true,
            Directory = disk.Path,
            MaxFileBytes = 64 * 1024,
            MaxTotalBytes = 16L << 20, // the cap is far above the disk: the disk fills first
            Logger = log,
        };
        var durations = new List<double>();
        using (var logger = new LongRequestLogger(options))
        {
            // Requests run until the disk is full (the session may take seconds to start on a loaded
            // machine), then 20 more each, on a full disk.
            var deadline = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, 3).Select(w => new Thread(() =>
            {
                int after = 0;
                for (int i = 0; after < 20 && deadline.Elapsed < TimeSpan.FromSeconds(60); i++)
                {
                    after += logger.GetStatistics().RecordsDropped > 0 ? 1 : 0;
                    var clock = Stopwatch.StartNew();
                    using (logger.BeginRequest($"GET /fill/{w}/{i}", "http"))
                    {
                        Deep(w * 64 + i, 8);
                    }

                    lock (durations)
                    {
                        durations.Add(clock.Elapsed.TotalMilliseconds);
                    }
                }
            })).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());

            LongRequestLoggerStatistics stats = logger.GetStatistics();
            Assert.True(stats.RecordsDropped > 0, $"the full disk dropped no record: {stats}");
            Assert.True(stats.RecordsWritten > 0, "records were written until the disk filled");
        }

        // The host kept serving: every request ran its ~60 ms, none waited on the disk.
        Assert.True(durations.Count >= 60, $"{durations.Count} requests");
        Assert.True(durations.Max() < 5_000, $"a request took {durations.Max():F0} ms");

        // Reported, not silent, and not once per record.
        int reports = log.Lines.Count(l => l.Contains("could not write a record", StringComparison.Ordinal));
        Assert.InRange(reports, 1, 50);

        // Every file: valid JSON lines up to its last complete line; a torn last line has no newline.
        string[] files = Directory.GetFiles(disk.Path, "*.jsonl");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            string[] lines = text.Split('\n');
            foreach (string line in lines.SkipLast(1))
            {
                using JsonDocument record = JsonDocument.Parse(line);
                Assert.True(record.RootElement.TryGetProperty("type", out _), $"{file}: a record without type");
            }

            Assert.True(lines[^1].Length == 0 || !IsJson(lines[^1]), $"{file}: the last line is complete but has no newline");
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Distinct deep stacks (each worker and request its own path), 60 ms a request.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double Deep(int path, int level) =>
        level == 0 ? Workloads.MonitoredWork(TimeSpan.FromMilliseconds(60)) : (path & 1) == 0 ? Deep(path >> 1, level - 1) + 1 : Deep2(path >> 1, level - 1) + 2;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double Deep2(int path, int level) => Deep(path, level) + 3;
}

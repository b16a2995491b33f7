using System.Diagnostics;
using System.Globalization;

namespace StatProf.Sampler.Tests.Reliability;

/// <summary>
/// Sessions started and stopped again and again leak nothing: no session (its socket to the
/// runtime), no thread, no handle. 1 000 cycles with <c>STATPROF_CYCLES=1000</c>; CI runs 50
/// (each cycle opens a session with its rundown, ~0.1 to 0.4 s here).
/// </summary>
[Collection(RealSampling.Name)]
[Trait("Category", "Soak")]
public sealed class StartStopCycleTests
{
    private static int Cycles =>
        int.TryParse(Environment.GetEnvironmentVariable("STATPROF_CYCLES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 50;

    [Fact]
    public void ManyStartStopCyclesLeakNoSessionThreadOrHandle()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // platform-only: /proc
        }

        int cycles = Cycles;
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads });
        using var work = new Workloads();
        work.StartSpinner();
        var buffer = new ThreadSample[4096];

        // A first cycle warms up what lives for the process (the runtime's own threads, TraceEvent's statics).
        sampler.Start();
        sampler.Stop();
        while (sampler.Drain(buffer) > 0)
        {
        }

        Thread.Sleep(500);
        Dictionary<string, int> threadsBefore = ThreadsByName();
        int fdsBefore = Count("/proc/self/fd");
        var clock = Stopwatch.StartNew();
        long keptBeforeLast = 0;
        for (int i = 0; i < cycles; i++)
        {
            sampler.Start();
            Thread reader = sampler.CurrentSession!.Thread;
            if (i == cycles - 1)
            {
                // The last session runs until it has sampled: a stop right after the start leaves out
                // samples still on their way, and on a saturated machine that was every one of 51 cycles.
                keptBeforeLast = sampler.GetCounters().SamplesKept;
                long kept = keptBeforeLast;
                Records.RecordFiles.WaitUntil(() => sampler.GetCounters().SamplesKept > kept, "the last session sampled", seconds: 30);
            }

            sampler.Stop();
            Assert.True(reader.Join(TimeSpan.FromSeconds(10)), $"cycle {i}: the sampler thread ended");
            while (sampler.Drain(buffer) > 0)
            {
            }
        }

        clock.Stop();
        Thread.Sleep(500); // threads the runtime ends lazily
        Dictionary<string, int> threadsAfter = ThreadsByName();
        int fdsAfter = Count("/proc/self/fd");
        SamplerCounters counters = sampler.GetCounters();
        Console.WriteLine($"{cycles} cycles in {clock.Elapsed.TotalSeconds:F0} s: threads {Describe(threadsBefore)} -> {Describe(threadsAfter)}, fds {fdsBefore} -> {fdsAfter}, samples kept {counters.SamplesKept}");

        Assert.Equal(cycles + 1, counters.Sessions);
        Assert.Equal(0, counters.Faults);
        Assert.True(counters.SamplesKept > keptBeforeLast, "the last session sampled");
        // Thread-pool workers come and go with the pool's own heuristics (bounded by the pool, retired
        // when idle); every other thread, StatProf's included, must be back to its count.
        foreach ((string name, int after) in threadsAfter.Where(t => !t.Key.StartsWith(".NET TP", StringComparison.Ordinal)))
        {
            int before = threadsBefore.GetValueOrDefault(name);
            Assert.True(after <= before + 1, $"threads named '{name}': {before} before, {after} after {cycles} cycles");
        }

        Assert.True(threadsAfter.Values.Sum() <= threadsBefore.Values.Sum() + 16, $"{Describe(threadsBefore)} -> {Describe(threadsAfter)}");
        Assert.InRange(fdsAfter, 0, fdsBefore + 3);
    }

    private static int Count(string directory) => Directory.GetFileSystemEntries(directory).Length;

    /// <summary>This process's threads by their OS name (/proc/self/task/*/comm, what .NET sets from Thread.Name).</summary>
    private static Dictionary<string, int> ThreadsByName()
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                names[name] = names.GetValueOrDefault(name) + 1;
            }
            catch (IOException)
            {
                // The thread ended while we listed them.
            }
        }

        return names;
    }

    private static string Describe(Dictionary<string, int> threads) =>
        string.Join(", ", threads.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
}

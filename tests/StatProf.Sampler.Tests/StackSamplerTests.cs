using System.Diagnostics;

namespace StatProf.Sampler.Tests;

[Collection(RealSampling.Name)]
public sealed class StackSamplerTests
{
    private static readonly TimeSpan SampleFor = TimeSpan.FromSeconds(1.5);

    private static List<ThreadSample> SampleWhile(StackSampler sampler, TimeSpan duration)
    {
        var all = new List<ThreadSample>();
        var buffer = new ThreadSample[4096];
        sampler.Start();

        // The window opens with the first sample drained: a buffer flush after the start, seconds on a
        // saturated machine (the stop leaves out the samples still on their way).
        for (var first = Stopwatch.StartNew(); all.Count == 0 && first.Elapsed < TimeSpan.FromSeconds(30); Thread.Sleep(20))
        {
            int n;
            while ((n = sampler.Drain(buffer)) > 0) all.AddRange(buffer.AsSpan(0, n));
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            Thread.Sleep(50);
            int n;
            while ((n = sampler.Drain(buffer)) > 0) all.AddRange(buffer.AsSpan(0, n));
        }

        sampler.Stop();
        int rest;
        while ((rest = sampler.Drain(buffer)) > 0) all.AddRange(buffer.AsSpan(0, rest));
        return all;
    }

    private static bool StackContains(StackSampler sampler, int stackId, string method) =>
        sampler.Stacks.GetStack(stackId).Any(f => f.Name.Contains(method, StringComparison.Ordinal));

    [Fact]
    public void SpinningThreadShowsItsMethodInMostOfItsSamples()
    {
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads });
        using var work = new Workloads();
        int spinner = work.StartSpinner();

        List<ThreadSample> samples = SampleWhile(sampler, SampleFor);

        var mine = samples.Where(s => s.OsThreadId == spinner).ToList();
        Assert.True(mine.Count >= 100, $"only {mine.Count} samples of the spinning thread");
        int inMethod = mine.Count(s => StackContains(sampler, s.StackId, nameof(Workloads.SpinInKnownMethod)));
        Assert.True(inMethod >= 0.8 * mine.Count, $"{inMethod} of {mine.Count} samples show SpinInKnownMethod");

        // Frame names are Namespace.Type.Method, root first, with the thread's entry near the root.
        StackFrameInfo leafMost = sampler.Stacks.GetStack(mine[^1].StackId).Last(f => f.Name.Contains(nameof(Workloads.SpinInKnownMethod), StringComparison.Ordinal));
        Assert.StartsWith("StatProf.Sampler.Tests.Workloads.SpinInKnownMethod", leafMost.Name);
        Assert.Equal("StatProf.Sampler.Tests", leafMost.Module);
    }

    [Fact]
    public void SleepingThreadIsWaitingAndSpinningThreadIsRunning()
    {
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads });
        using var work = new Workloads();
        int sleeper = work.StartSleeper();
        int spinner = work.StartSpinner();

        List<ThreadSample> samples = SampleWhile(sampler, SampleFor);

        var slept = samples.Where(s => s.OsThreadId == sleeper).ToList();
        var spun = samples.Where(s => s.OsThreadId == spinner).ToList();
        Assert.True(slept.Count >= 100 && spun.Count >= 100, $"{slept.Count} sleeping and {spun.Count} spinning samples");
        Assert.True(slept.Count(s => s.Activity == ThreadActivity.Waiting) >= 0.9 * slept.Count, "the sleeping thread is waiting");
        Assert.True(spun.Count(s => s.Activity == ThreadActivity.Running) >= 0.8 * spun.Count, "the spinning thread is running");
        Assert.True(slept.Count(s => StackContains(sampler, s.StackId, nameof(Workloads.SleepInKnownMethod))) >= 0.8 * slept.Count);
    }

    [Fact]
    public void ThreadsThatAreNotMonitoredAreFilteredOut()
    {
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.MonitoredThreads });
        using var work = new Workloads();
        int monitored = work.StartSpinner(_ => sampler.MonitoredThreads.EnterCurrentThread());
        int other = work.StartSpinner();

        List<ThreadSample> samples = SampleWhile(sampler, SampleFor);

        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.Equal(monitored, s.OsThreadId));
        Assert.DoesNotContain(samples, s => s.OsThreadId == other);
        Assert.All(samples, s => Assert.NotEqual(0, s.ManagedThreadId));
        SamplerCounters counters = sampler.GetCounters();
        Assert.True(counters.SamplesFilteredOut > counters.SamplesKept, "the other threads' samples were seen and dropped");
        Assert.Equal(samples.Count, counters.SamplesKept);
    }

    [Fact]
    public void FilterKeepsOnlyTheTicksTakenWhileTheThreadWasInsideAScope()
    {
        // One thread alternates every few ms between monitored and unmonitored work: the samples
        // reach the sampler late, so only a filter decided at the tick's instant keeps them apart.
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.MonitoredThreads });
        using var work = new Workloads();
        int alternating = work.StartAlternating(sampler.MonitoredThreads);

        List<ThreadSample> samples = SampleWhile(sampler, SampleFor);

        Assert.True(samples.Count >= 100, $"{samples.Count} samples kept");
        Assert.All(samples, s => Assert.Equal(alternating, s.OsThreadId));
        int inside = samples.Count(s => StackContains(sampler, s.StackId, nameof(Workloads.MonitoredWork)));
        int outside = samples.Count(s => StackContains(sampler, s.StackId, nameof(Workloads.UnmonitoredWork)));

        // The rest were caught in the scope's own entry and exit (the runtime stops threads at safe
        // points such as Stopwatch's P/Invoke there), still inside the scope.
        Assert.True(outside <= 0.02 * samples.Count, $"{outside} of {samples.Count} kept samples were taken outside the scope");
        Assert.True(inside >= 0.5 * samples.Count, $"{inside} of {samples.Count} kept samples were taken in the monitored work");
    }

    [Fact]
    public void SamplesOfOneTickShareTheTickAndTicksAreMeasured()
    {
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads });
        using var work = new Workloads();
        int a = work.StartSleeper();
        int b = work.StartSpinner();

        List<ThreadSample> samples = SampleWhile(sampler, SampleFor);

        // Each tick samples every thread once: the two threads appear in (nearly) the same ticks.
        var ticksA = samples.Where(s => s.OsThreadId == a).Select(s => s.Tick).ToHashSet();
        var ticksB = samples.Where(s => s.OsThreadId == b).Select(s => s.Tick).ToHashSet();
        Assert.True(ticksA.Intersect(ticksB).Count() >= 0.9 * Math.Min(ticksA.Count, ticksB.Count));
        Assert.True(samples.GroupBy(s => (s.Tick, s.OsThreadId)).All(g => g.Count() == 1), "a thread appears once per tick");
        Assert.NotNull(sampler.MeasuredTickInterval);
        Assert.InRange(sampler.MeasuredTickInterval!.Value.TotalMilliseconds, 0.2, 50);
        Assert.True(sampler.GetCounters().Ticks >= ticksA.Count);
    }

    [Fact]
    public void SmallRingCountsEverySampleItCouldNotKeep()
    {
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads, RingCapacity = 64 });
        using var work = new Workloads();
        work.StartSpinner();

        // Nobody drains while sampling: the ring overflows.
        sampler.Start();
        Thread.Sleep(SampleFor);
        sampler.Stop();

        SamplerCounters counters = sampler.GetCounters();
        Assert.Equal(64, sampler.PendingSamples);
        Assert.True(counters.DroppedByOverflow > 0);
        Assert.Equal(counters.SamplesKept, counters.DroppedByOverflow + sampler.PendingSamples);
    }

    /// <summary>Waits (at most 30 s, else fails) until the sampler has kept more than <paramref name="kept"/> samples.</summary>
    private static void WaitForSamplesPast(StackSampler sampler, long kept) =>
        Records.RecordFiles.WaitUntil(() => sampler.GetCounters().SamplesKept > kept, "the session kept samples", seconds: 30);

    [Fact]
    public void StartAndStopTwentyTimesLeaksNoSessionOrThread()
    {
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads });
        using var work = new Workloads();
        work.StartSpinner();
        var readers = new List<Thread>();
        var buffer = new ThreadSample[1024];
        int baselineFds = -1;

        for (int cycle = 0; cycle < 20; cycle++)
        {
            long keptBefore = sampler.GetCounters().SamplesKept;
            sampler.Start();
            Assert.True(sampler.IsRunning);
            readers.Add(sampler.CurrentSession!.Thread);
            WaitForSamplesPast(sampler, keptBefore); // ~0.1 s; seconds when the machine is saturated
            sampler.Stop();
            Assert.False(sampler.IsRunning);
            Assert.True(sampler.GetCounters().SamplesKept > keptBefore, $"cycle {cycle} sampled");
            while (sampler.Drain(buffer) > 0)
            {
            }

            if (cycle == 0)
            {
                baselineFds = OpenFileDescriptors();
            }
        }

        Assert.All(readers, t => Assert.True(t.Join(TimeSpan.FromSeconds(5)), "every sampler thread ended"));
        Assert.Equal(20, sampler.GetCounters().Sessions);
        Assert.Equal(0, sampler.GetCounters().Faults);
        if (OperatingSystem.IsLinux())
        {
            // Each session holds a socket to the runtime: a leaked session would keep one open.
            Assert.InRange(OpenFileDescriptors(), 0, baselineFds + 3);
        }
    }

    [Fact]
    public void FaultInTheReaderStopsSamplingReportsItAndAllowsARestart()
    {
        using var faulted = new ManualResetEventSlim();
        Exception? reported = null;
        using var sampler = new StackSampler(new SamplerOptions
        {
            Mode = SamplingMode.AllThreads,
            OnFault = ex =>
            {
                reported = ex;
                faulted.Set();
                throw new InvalidOperationException("a callback that throws must not hurt the host");
            },
        });
        using var work = new Workloads();
        work.StartSpinner();
        sampler.Start();
        Thread reader = sampler.CurrentSession!.Thread;

        var boom = new InvalidOperationException("injected fault");
        sampler.Processor.InjectedFault = boom;

        Assert.True(faulted.Wait(TimeSpan.FromSeconds(10)), "the fault was reported");
        Assert.Same(boom, reported);
        Assert.Same(boom, sampler.LastFault);
        Assert.False(sampler.IsRunning);
        Assert.True(reader.Join(TimeSpan.FromSeconds(10)), "the sampler thread ended");
        Assert.Equal(1, sampler.GetCounters().Faults);

        long kept = sampler.GetCounters().SamplesKept;
        sampler.Start();
        WaitForSamplesPast(sampler, kept);
        sampler.Stop();
        Assert.True(sampler.GetCounters().SamplesKept > kept, "sampling works again after a fault");
    }

    [Fact]
    public void SessionEndingUnderTheReaderIsReportedAsAFault()
    {
        using var faulted = new ManualResetEventSlim();
        Exception? reported = null;
        using var sampler = new StackSampler(new SamplerOptions
        {
            Mode = SamplingMode.AllThreads,
            OnFault = ex =>
            {
                reported = ex;
                faulted.Set();
            },
        });
        sampler.Start();

        // Someone else ends the EventPipe session (as the runtime would on its own shutdown).
        sampler.CurrentSession!.EventPipeSession.Stop();

        Assert.True(faulted.Wait(TimeSpan.FromSeconds(10)), "the end of the session was reported");
        Assert.Contains("ended the sampling session", reported!.Message);
        Assert.False(sampler.IsRunning);
    }

    [Fact]
    public void StopReturnsWithinItsBoundUnderLoad()
    {
        var options = new SamplerOptions { Mode = SamplingMode.AllThreads, StopTimeout = TimeSpan.FromSeconds(2) };
        using var sampler = new StackSampler(options);
        using var work = new Workloads();
        for (int i = 0; i < 8; i++)
        {
            work.StartSpinner();
        }

        sampler.Start();
        Thread.Sleep(500);
        var clock = Stopwatch.StartNew();
        sampler.Stop();
        clock.Stop();

        Assert.False(sampler.IsRunning);
        // The bound plus room for a saturated machine (this thread competes with 8 spinners and the other
        // test assemblies): a stop that waited for a runtime that never flushes would take far longer.
        Assert.True(clock.Elapsed < options.StopTimeout + TimeSpan.FromSeconds(5), $"stop took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void SessionThatDoesNotStartInTimeIsRefusedSayingWhereItStuck()
    {
        // No session reads the runtime's method rundown within a millisecond.
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads, StartTimeout = TimeSpan.FromMilliseconds(1) });

        SamplerUnavailableException refused = Assert.Throws<SamplerUnavailableException>(sampler.Start);

        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(refused.Message, @"^StatProf cannot sample: the runtime's sampling session did not start within 0\.001 s \(opened in \d+(\.\d+)? s, then stuck in the method rundown or before the first event\)\.$"), refused.Message);
        Assert.False(sampler.IsRunning);
    }

    [Fact]
    public void DisposeStopsSamplingAndLaterStartIsRefused()
    {
        var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads });
        sampler.Start();
        Thread reader = sampler.CurrentSession!.Thread;

        sampler.Dispose();
        sampler.Dispose();

        Assert.False(sampler.IsRunning);
        Assert.True(reader.Join(TimeSpan.FromSeconds(5)));
        Assert.Throws<ObjectDisposedException>(sampler.Start);
    }

    [Fact]
    public void InvalidOptionsAreRefusedAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StackSampler(new SamplerOptions { RingCapacity = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StackSampler(new SamplerOptions { MaxStackDepth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StackSampler(new SamplerOptions { TrimInterval = TimeSpan.Zero }));
    }

    [Fact]
    public void DeepStacksAreTruncatedNearTheLeafAndCounted()
    {
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads, MaxStackDepth = 8 });
        using var work = new Workloads();
        int spinner = work.StartSpinner();

        List<ThreadSample> samples = SampleWhile(sampler, TimeSpan.FromSeconds(0.7));

        var mine = samples.Where(s => s.OsThreadId == spinner).ToList();
        Assert.NotEmpty(mine);
        Assert.True(sampler.GetCounters().TruncatedStacks > 0);
        Assert.All(sampler.Stacks.GetStack(mine[0].StackId).SkipLast(1), f => Assert.NotEqual("[truncated]", f.Name));
        Assert.True(samples.All(s => sampler.Stacks.GetFrameIds(s.StackId).Length <= 9));
    }

    private static int OpenFileDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}

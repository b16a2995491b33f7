using System.Diagnostics;
using System.Text;
using StatProf.Sampler;

namespace StatProf.AspNetCore.Live;

/// <summary>
/// Short sampling sessions of every managed thread with a <see cref="StackSampler"/> in continuous
/// mode: an instant dump (a few ticks) or the samples of N seconds counted by stack. Each call uses
/// a sampler of its own, disposed before it returns; nothing runs between calls.
/// </summary>
internal static class LiveSampling
{
    // A dump is asked for when the service is in trouble, often on a saturated machine, where a
    // session's start (mostly the method rundown that names frames: 1-1.3 s on a quiet 2-core
    // machine) measured 2-6 s and once past 15 s: a late answer is worth more than an error.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    // A started session's first samples reach the ring a buffer flush later (~0.1 s, seconds on a
    // saturated machine): a window is counted from the first tick drained, not from the start.
    private static readonly TimeSpan FirstTickWait = TimeSpan.FromSeconds(10);

    // After a flame's window, how long to wait for the samples taken up to its end before stopping.
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(5);

    // Frames that say what a waiting thread is blocked in, most telling first: the first of these
    // found anywhere on the stack wins (Task.Wait blocks in ManualResetEventSlim.Wait, leaf-side).
    private static readonly (string Frame, string Meaning)[] BlockingFrames =
    [
        ("Task.SpinThenBlockingWait", "sync-over-async wait (Task.Wait/.Result)"),
        ("Task.InternalWait", "sync-over-async wait (Task.Wait/.Result)"),
        ("Task.Wait", "sync-over-async wait (Task.Wait)"),
        ("TaskAwaiter.GetResult", "sync-over-async wait (GetAwaiter().GetResult())"),
        ("Task`1.get_Result", "sync-over-async wait (Task.Result)"),
        ("Monitor.ReliableEnter", "monitor lock (lock statement)"),
        ("Monitor.Enter", "monitor lock (lock statement)"),
        ("Monitor.Wait", "Monitor.Wait"),
        ("SemaphoreSlim.Wait", "SemaphoreSlim.Wait"),
        ("ManualResetEventSlim.Wait", "ManualResetEventSlim.Wait"),
        ("WaitHandle.WaitOne", "WaitHandle.WaitOne"),
        ("Thread.Sleep", "Thread.Sleep"),
        ("Thread.Join", "Thread.Join"),
    ];

    /// <summary>
    /// Samples every thread for a few ticks and returns each thread's last stack. Takes the session
    /// start (a few hundred ms) plus about <paramref name="ticks"/> ms; at most <paramref name="timeout"/>
    /// after the first tick arrived (and at most 10 s for it to arrive).
    /// </summary>
    public static IReadOnlyList<ThreadStack> Dump(int ticks, TimeSpan timeout, out PoolRelief relief, out string timings)
    {
        using PoolRelief lifted = relief = PoolRelief.WhileSampling();
        var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads, RingCapacity = 1 << 16, MaxDistinctStacks = 50_000, StartTimeout = StartTimeout, StopTimeout = TimeSpan.FromSeconds(1) });
        var phase = Stopwatch.StartNew();
        try
        {
            sampler.Start();
        }
        catch
        {
            sampler.Dispose();
            throw;
        }

        TimeSpan started = phase.Elapsed;
        var clock = Stopwatch.StartNew();
        var last = new Dictionary<int, ThreadSample>();
        var buffer = new ThreadSample[4096];
        long firstTick = -1;
        long lastSeen = -1;
        TimeSpan firstTickAt = TimeSpan.Zero;
        while (true)
        {
            Thread.Sleep(10);
            bool hadTick = firstTick >= 0;
            Drain(sampler, buffer, s => last[s.OsThreadId] = s, ref firstTick, out long lastTick);
            lastSeen = lastTick;
            if (!hadTick && firstTick >= 0)
            {
                firstTickAt = clock.Elapsed;
            }

            if (firstTick >= 0 ? lastTick - firstTick >= ticks || clock.Elapsed - firstTickAt >= timeout : clock.Elapsed >= FirstTickWait)
            {
                break;
            }
        }

        TimeSpan sampled = phase.Elapsed;
        timings = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"session start {started.TotalSeconds:0.000} s (rundown {sampler.LastRundownLatency.TotalSeconds:0.000} s), {Math.Max(0, lastSeen - firstTick + 1)} ticks in {(sampled - started).TotalSeconds:0.000} s");

        // The session stops (up to a second: the runtime flushes) on a thread of its own, after the
        // answer: the stacks are all drained already. The stack table outlives the sampler.
        StackTable stacks = sampler.Stacks;
        new Thread(sampler.Dispose) { IsBackground = true, Name = "StatProf live dump stop" }.Start();
        var threads = new List<ThreadStack>(last.Count);
        foreach (ThreadSample sample in last.Values)
        {
            IReadOnlyList<StackFrameInfo> rootFirst = stacks.GetStack(sample.StackId);
            var leafFirst = rootFirst.Reverse().ToArray();
            bool waiting = sample.Activity == ThreadActivity.Waiting;
            threads.Add(new ThreadStack(sample.OsThreadId, ThreadName(sample.OsThreadId), waiting, waiting ? BlockedIn(leafFirst) : null, leafFirst));
        }

        threads.Sort((a, b) => a.OsThreadId.CompareTo(b.OsThreadId));
        return threads;
    }

    /// <summary>Samples every thread for <paramref name="duration"/>; returns folded stacks (root first, one line a stack).</summary>
    public static string Folded(TimeSpan duration)
    {
        using PoolRelief relief = PoolRelief.WhileSampling();
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.AllThreads, StartTimeout = StartTimeout, StopTimeout = TimeSpan.FromSeconds(2) });
        var counts = new Dictionary<int, long>();
        var buffer = new ThreadSample[8192];
        long firstTick = -1;
        void Count(ThreadSample s) => counts[s.StackId] = counts.GetValueOrDefault(s.StackId) + 1;
        sampler.Start();

        // The window opens at the first tick drained and closes once the samples taken up to its end
        // are in: on a saturated machine they come seconds late, and a stop leaves the late ones out.
        var clock = Stopwatch.StartNew();
        while (firstTick < 0 && clock.Elapsed < FirstTickWait)
        {
            Thread.Sleep(20);
            Drain(sampler, buffer, Count, ref firstTick, out _);
        }

        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            Thread.Sleep(100);
            Drain(sampler, buffer, Count, ref firstTick, out _);
        }

        for (clock.Restart(); sampler.LatestTickTimestamp < end && clock.Elapsed < CatchUpWait; Thread.Sleep(20))
        {
            Drain(sampler, buffer, Count, ref firstTick, out _);
        }

        sampler.Stop();
        Drain(sampler, buffer, Count, ref firstTick, out _);
        var folded = new StringBuilder();
        foreach ((int stackId, long count) in counts)
        {
            IReadOnlyList<StackFrameInfo> frames = sampler.Stacks.GetStack(stackId);
            if (frames.Count == 0)
            {
                continue;
            }

            for (int i = 0; i < frames.Count; i++)
            {
                if (i > 0)
                {
                    folded.Append(';');
                }

                folded.Append(frames[i].Name.Replace(';', ',').Replace('\n', ' '));
            }

            folded.Append(' ').Append(count).Append('\n');
        }

        return folded.ToString();
    }

    internal static string? BlockedIn(IReadOnlyList<StackFrameInfo> leafFirst)
    {
        foreach ((string name, string meaning) in BlockingFrames)
        {
            foreach (StackFrameInfo frame in leafFirst)
            {
                if (frame.Name.Contains(name, StringComparison.Ordinal))
                {
                    return meaning;
                }
            }
        }

        return null;
    }

    private static void Drain(StackSampler sampler, ThreadSample[] buffer, Action<ThreadSample> onSample, ref long firstTick, out long lastTick)
    {
        lastTick = firstTick;
        int n;
        while ((n = sampler.Drain(buffer)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                if (firstTick < 0)
                {
                    firstTick = buffer[i].Tick;
                }

                lastTick = Math.Max(lastTick, buffer[i].Tick);
                onSample(buffer[i]);
            }
        }
    }

    private static string? ThreadName(int osThreadId)
    {
        try
        {
            string path = $"/proc/self/task/{osThreadId}/comm";
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception)
        {
            return null; // the thread ended meanwhile, or no /proc here
        }
    }
}

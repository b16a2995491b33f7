using System.Diagnostics;

namespace StatProf.Overhead.Harness;

/// <summary>
/// The load generator of the shop workload, inside the harness process: <see cref="Concurrency"/>
/// closed loops (each sends a request, reads the whole answer, sends the next: no think time) over
/// one <see cref="HttpClient"/> with keep-alive, cycling through the shop's fast pages
/// (<see cref="Paths"/>), so no request nears StatProf's 2 s threshold. Requests of the warm-up are
/// not counted; those that complete within the measured window are (completions per second).
/// </summary>
internal static class HttpLoad
{
    public const int Concurrency = 8;

    public static readonly string[] Paths = ["/products", "/health", "/"];

    /// <summary>
    /// Runs the load through <paramref name="warmUp"/> (the window opens when it completes), then
    /// <paramref name="measure"/>; calls <paramref name="windowStarts"/> when the measured window
    /// opens and <paramref name="windowEnds"/> when the last loop ended.
    /// </summary>
    public static async Task<LoadResult> RunAsync(Uri baseAddress, Func<Task> warmUp, TimeSpan measure, Action windowStarts, Action windowEnds)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var window = new Window();
        var loops = new Task<(List<double> Latencies, int Errors)>[Concurrency];
        for (int i = 0; i < Concurrency; i++)
        {
            int offset = i;
            loops[i] = Task.Run(() => LoopAsync(client, offset, window));
        }

        await window.WarmUpAsync(warmUp);
        windowStarts();
        long from = Stopwatch.GetTimestamp();
        Volatile.Write(ref window.To, from + (long)(measure.TotalSeconds * Stopwatch.Frequency));
        Volatile.Write(ref window.From, from);
        var all = new List<double>();
        int errors = 0;
        foreach (var loop in loops)
        {
            (List<double> latencies, int failed) = await loop;
            all.AddRange(latencies);
            errors += failed;
        }

        windowEnds();
        all.Sort();
        return new LoadResult(all.Count / measure.TotalSeconds, Stats.Percentile(all, 0.50), Stats.Percentile(all, 0.99), all.Count, errors);
    }

    /// <summary>One request, its whole answer read; true when it succeeded (and then <paramref name="window"/> knows the server answers).</summary>
    public static async Task<bool> GetAsync(HttpClient client, string path, Window window)
    {
        try
        {
            using HttpResponseMessage response = await client.GetAsync(path);
            _ = await response.Content.ReadAsByteArrayAsync();
            if (response.IsSuccessStatusCode)
            {
                window.Answered();
                return true;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // a failed request: counted as an error by the caller
        }

        return false;
    }

    private static async Task<(List<double>, int)> LoopAsync(HttpClient client, int offset, Window window)
    {
        var latencies = new List<double>(100_000);
        int errors = 0;
        for (int n = offset; ; n++)
        {
            long sent = Stopwatch.GetTimestamp();
            if (sent >= Volatile.Read(ref window.To))
            {
                return (latencies, errors);
            }

            bool ok = await GetAsync(client, Paths[n % Paths.Length], window);

            long done = Stopwatch.GetTimestamp();
            if (done >= Volatile.Read(ref window.From) && done <= Volatile.Read(ref window.To))
            {
                if (ok)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds);
                }
                else
                {
                    errors++;
                }
            }
        }
    }
}

/// <summary>
/// The shop workload's second load: an open loop at a fixed <see cref="Rate"/> (requests are sent
/// on a schedule, whatever the answers; at most <see cref="MaxInFlight"/> wait at once). Below the
/// shop's capacity every configuration serves the same requests at the same pace, so the server's
/// CPU time per request compares configurations without the closed loops' feedback (a slower
/// server batches more requests per wake-up and spends less CPU on each). Latency runs from each
/// request's scheduled instant (no coordinated omission); a request not sent because
/// <see cref="MaxInFlight"/> were waiting counts as an error.
/// </summary>
internal static class FixedRateLoad
{
    public const double Rate = 3000;

    /// <summary>
    /// About ten times the requests waiting at the rate in steady state (~12). With 256, one stall of
    /// the server on a loaded machine let hundreds of connections open, and the cost of opening
    /// them kept the server behind for the rest of the run (seen once at the 10 ms tick:
    /// 256 requests/s, 2.6 ms of CPU each).
    /// </summary>
    public const int MaxInFlight = 32;

    /// <summary>As <see cref="HttpLoad.RunAsync"/>, at <see cref="Rate"/> requests per second.</summary>
    public static async Task<LoadResult> RunAsync(Uri baseAddress, Func<Task> warmUp, TimeSpan measure, Action windowStarts, Action windowEnds)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = MaxInFlight, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var window = new Window();
        var state = new Tally();
        Task pacer = Task.Run(() => PaceAsync(client, window, state));
        await window.WarmUpAsync(warmUp);
        windowStarts();
        long from = Stopwatch.GetTimestamp();
        Volatile.Write(ref window.To, from + (long)(measure.TotalSeconds * Stopwatch.Frequency));
        Volatile.Write(ref window.From, from);
        await pacer;

        // The requests of the window still waiting: their answers count (up to the client's timeout).
        var drained = Stopwatch.StartNew();
        while (Volatile.Read(ref state.InFlight) > 0 && drained.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        windowEnds();
        List<double> all;
        int errors;
        lock (state)
        {
            all = [.. state.Latencies];
            errors = state.Errors;
        }

        all.Sort();
        return new LoadResult(all.Count / measure.TotalSeconds, Stats.Percentile(all, 0.50), Stats.Percentile(all, 0.99), all.Count, errors);
    }

    private static async Task PaceAsync(HttpClient client, Window window, Tally tally)
    {
        long start = Stopwatch.GetTimestamp();
        long sent = 0;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= Volatile.Read(ref window.To))
            {
                return;
            }

            long due = (long)((now - start) * Rate / Stopwatch.Frequency);
            for (; sent < due; sent++)
            {
                long scheduled = start + (long)(sent * Stopwatch.Frequency / Rate);
                bool counted = scheduled >= Volatile.Read(ref window.From) && scheduled < Volatile.Read(ref window.To);
                if (Volatile.Read(ref tally.InFlight) >= MaxInFlight)
                {
                    if (counted)
                    {
                        lock (tally)
                        {
                            tally.Errors++;
                        }
                    }

                    continue;
                }

                Interlocked.Increment(ref tally.InFlight);
                _ = SendAsync(client, HttpLoad.Paths[sent % HttpLoad.Paths.Length], scheduled, counted, window, tally);
            }

            await Task.Delay(1);
        }
    }

    private static async Task SendAsync(HttpClient client, string path, long scheduled, bool counted, Window window, Tally tally)
    {
        bool ok = await HttpLoad.GetAsync(client, path, window);

        double latencyMs = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
        if (counted)
        {
            lock (tally)
            {
                if (ok)
                {
                    tally.Latencies.Add(latencyMs);
                }
                else
                {
                    tally.Errors++;
                }
            }
        }

        Interlocked.Decrement(ref tally.InFlight);
    }

    /// <summary>What the requests of the window gave; lock it to read or write the list and the count.</summary>
    private sealed class Tally
    {
        public readonly List<double> Latencies = new(100_000);
        public int Errors;
        public int InFlight;
    }
}

/// <summary>The measured window's bounds (stopwatch ticks): open-ended until the warm-up is over.</summary>
internal sealed class Window
{
    /// <summary>How long the warm-up waits at most for the server's first answer.</summary>
    private static readonly TimeSpan FirstAnswerLimit = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long From = long.MaxValue;
    public long To = long.MaxValue;

    /// <summary>A request got a successful answer.</summary>
    public void Answered() => _answered.TrySetResult();

    /// <summary>
    /// The warm-up: the server's first answer (a fresh server under a 1 ms tick on a loaded machine
    /// took more than the smoke mode's 2 s to give it, and its window then counted nothing), at most
    /// <see cref="FirstAnswerLimit"/>, then <paramref name="warmUp"/>.
    /// </summary>
    public async Task WarmUpAsync(Func<Task> warmUp)
    {
        await Task.WhenAny(_answered.Task, Task.Delay(FirstAnswerLimit));
        await warmUp();
    }
}

/// <summary>What one load run measured: requests/s completed in the window, latency p50/p99 (ms), errors.</summary>
internal sealed record LoadResult(double RequestsPerSecond, double LatencyP50Ms, double LatencyP99Ms, int Requests, int Errors);

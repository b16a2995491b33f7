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

        await warmUp();
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

            bool ok;
            try
            {
                using HttpResponseMessage response = await client.GetAsync(Paths[n % Paths.Length]);
                _ = await response.Content.ReadAsByteArrayAsync();
                ok = response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                ok = false;
            }

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

/// <summary>The measured window's bounds (stopwatch ticks): open-ended until the warm-up is over.</summary>
internal sealed class Window
{
    public long From = long.MaxValue;
    public long To = long.MaxValue;
}

/// <summary>What one load run measured: requests/s completed in the window, latency p50/p99 (ms), errors.</summary>
internal sealed record LoadResult(double RequestsPerSecond, double LatencyP50Ms, double LatencyP99Ms, int Requests, int Errors);

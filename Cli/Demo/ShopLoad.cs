using System.Diagnostics;
using System.Net.Http.Headers;

namespace StatProf.Cli.Demo;

/// <summary>
/// Concurrent HTTP load at the demo shop: a few virtual users, each sending a weighted mix of the
/// shop's pages one after another until the time is up. Fixed seeds: the same mix on every run.
/// </summary>
internal sealed class ShopLoad
{
    /// <summary>The page mix (weights out of 100): mostly fast pages, some slow ones.</summary>
    private static readonly (int Weight, Func<Random, string> Path)[] Mix =
    [
        (30, _ => "/"),
        (28, _ => "/products"),
        (16, r => $"/orders/{r.Next(1, 40)}?token=demo-secret-{r.Next(1000, 9999)}"),
        (14, _ => "/report"),
        (12, _ => "/inventory"),
    ];

    private readonly Uri _baseAddress;
    private readonly int _users;
    private long _sent;
    private long _failed;
    private long _slow;

    public ShopLoad(Uri baseAddress, int users)
    {
        _baseAddress = baseAddress;
        _users = users;
    }

    public long Sent => Interlocked.Read(ref _sent);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Requests that took longer than <see cref="SlowAfter"/> as the client saw them.</summary>
    public long Slow => Interlocked.Read(ref _slow);

    public TimeSpan SlowAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sends requests until <paramref name="duration"/> has passed, then waits for those in flight.</summary>
    public async Task RunAsync(TimeSpan duration, CancellationToken cancel)
    {
        using var http = new HttpClient { BaseAddress = _baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "demo-secret-bearer");
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("statprof-demo", "1.0"));
        var clock = Stopwatch.StartNew();
        var users = Enumerable.Range(0, _users).Select(u => UserAsync(http, new Random(2013 + u), clock, duration, cancel));
        await Task.WhenAll(users);
    }

    private async Task UserAsync(HttpClient http, Random random, Stopwatch clock, TimeSpan duration, CancellationToken cancel)
    {
        while (clock.Elapsed < duration && !cancel.IsCancellationRequested)
        {
            string path = Pick(random);
            long started = Stopwatch.GetTimestamp();
            try
            {
                using HttpResponseMessage response = await http.GetAsync(path, cancel);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _failed);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _sent);
            if (Stopwatch.GetElapsedTime(started) > SlowAfter)
            {
                Interlocked.Increment(ref _slow);
            }
        }
    }

    private static string Pick(Random random)
    {
        int roll = random.Next(100);
        foreach (var (weight, path) in Mix)
        {
            if (roll < weight)
            {
                return path(random);
            }

            roll -= weight;
        }

        return "/";
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using StatProf.Sampler;

namespace StatProf.AspNetCore.Tests.Live;

/// <summary>
/// The live endpoint on a free loopback port, asked over real HTTP: long requests with their last
/// stack, the all-threads dump with a known sleeping and a known busy thread, and the flame graph.
/// </summary>
[Collection(LiveTestGroup.Name)]
public sealed class LiveEndpointTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-live-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private readonly LongRequestLogger _logger;
    private readonly StatProfLiveEndpoint _endpoint;
    private readonly List<Thread> _threads = [];

    public LiveEndpointTests()
    {
        _logger = new LongRequestLogger(new LongRequestLoggerOptions
        {
            Threshold = TimeSpan.FromMilliseconds(600),
            Interval = TimeSpan.FromMilliseconds(100),
            ActivationLead = TimeSpan.FromMilliseconds(300),
            Directory = _directory,
        });
        _endpoint = new StatProfLiveEndpoint(new StatProfLiveOptions { Enabled = true, LongRequestAge = TimeSpan.FromMilliseconds(500) }, _logger);
        Assert.True(_endpoint.Start());
        Assert.NotEqual(0, _endpoint.Port);
    }

    [Fact]
    public void RequestsPageListsTheLongRequestWithItsLastStack()
    {
        Run("slow request", () =>
        {
            using RequestScope scope = _logger.BeginRequest("GET /slow/42", "http");
            BurnInLiveRequest(_stop.Token);
        });

        var waited = Stopwatch.StartNew();
        while (_logger.GetRunningRequests(TimeSpan.Zero).All(r => r.LastStack is null) && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(50);
        }

        // The logger's session starts beside the endpoint's warm-up one: seconds on a loaded machine.
        Assert.True(_logger.GetRunningRequests(TimeSpan.Zero).Any(r => r.LastStack is not null), $"no stack for the slow request after {waited.Elapsed.TotalSeconds:0.0} s");

        RawResponse json = RawHttp.Get(_endpoint.Port, "/requests?format=json");
        Assert.Equal(200, json.Status);
        Assert.StartsWith("application/json", json.Headers["Content-Type"], StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json.Body);
        JsonElement request = Assert.Single(doc.RootElement.GetProperty("requests").EnumerateArray());
        Assert.Equal("GET /slow/42", request.GetProperty("name").GetString());
        Assert.Equal("http", request.GetProperty("kind").GetString());
        Assert.True(request.GetProperty("elapsedSeconds").GetDouble() >= 0.5);
        Assert.Contains(request.GetProperty("lastStack").EnumerateArray(), f => f.GetString()!.Contains(nameof(BurnInLiveRequest), StringComparison.Ordinal));

        RawResponse html = RawHttp.Get(_endpoint.Port, "/requests");
        Assert.Equal(200, html.Status);
        Assert.StartsWith("text/html", html.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Contains("GET /slow/42", html.Body, StringComparison.Ordinal);
        Assert.Contains(nameof(BurnInLiveRequest), html.Body, StringComparison.Ordinal);
        Assert.Equal("close", html.Headers["Connection"]);
    }

    [Fact]
    public void DumpShowsEveryThreadWithTheSleepingOneWaitingAndTheBusyOneRunning()
    {
        Run("sleeper", () => SleepForLiveDump(_stop.Token));
        Run("burner", () => BurnForLiveDump(_stop.Token));
        Thread.Sleep(200);

        RawResponse text = RawHttp.Get(_endpoint.Port, "/dump");
        Assert.True(text.Status == 200, $"{text.Status} after {text.Elapsed}: {text.Body}");
        Assert.StartsWith("text/plain", text.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Matches(@"^Thread dump of process \d+ at .*: \d+ managed threads, \d+ running, \d+ waiting", text.Body);
        string[] blocks = text.Body.Split("\n\n");
        string sleeper = Assert.Single(blocks, b => b.Contains(nameof(SleepForLiveDump), StringComparison.Ordinal));
        Assert.Contains(" waiting — blocked in Thread.Sleep", sleeper.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("\"sleeper\"", sleeper.Split('\n')[0], StringComparison.Ordinal); // the OS thread name, Linux

        RawResponse json = RawHttp.Get(_endpoint.Port, "/dump?format=json");
        Assert.True(json.Status == 200, $"{json.Status} after {json.Elapsed}: {json.Body}");
        using JsonDocument doc = JsonDocument.Parse(json.Body);
        JsonElement burner = Assert.Single(doc.RootElement.GetProperty("threads").EnumerateArray(), t => t.GetProperty("frames").EnumerateArray().Any(f => f.GetString()!.Contains(nameof(BurnForLiveDump), StringComparison.Ordinal)));
        Assert.Equal(JsonValueKind.Null, burner.GetProperty("blockedIn").ValueKind);
        Assert.True(doc.RootElement.GetProperty("threadCount").GetInt32() >= 3);
    }

    [Fact]
    public void FlameGraphOfTheNextSecondsNamesTheBusyMethodInEveryFormat()
    {
        Run("burner", () => BurnForLiveFlame(_stop.Token));

        RawResponse folded = RawHttp.Get(_endpoint.Port, "/flame?seconds=1&format=folded");
        Assert.True(folded.Status == 200, $"{folded.Status} after {folded.Elapsed}: {folded.Body}");
        Assert.True(folded.Elapsed >= TimeSpan.FromSeconds(1));
        Assert.Contains(folded.Body.Split('\n'), l => l.Contains(nameof(BurnForLiveFlame), StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(l, @";.* \d+$"));

        RawResponse html = RawHttp.Get(_endpoint.Port, "/flame?seconds=1");
        Assert.True(html.Status == 200, $"{html.Status} after {html.Elapsed}: {html.Body}");
        Assert.StartsWith("text/html", html.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Contains("<html", html.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(nameof(BurnForLiveFlame), html.Body, StringComparison.Ordinal);

        RawResponse json = RawHttp.Get(_endpoint.Port, "/flame?seconds=1&format=json");
        Assert.True(json.Status == 200, $"{json.Status} after {json.Elapsed}: {json.Body}");
        Assert.Contains(nameof(BurnForLiveFlame), json.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void FlameGraphLiftsThePoolMinimumWhenThePoolStarvesAfterItBegan()
    {
        Run("burner", () => BurnForLiveFlame(_stop.Token));
        Assert.True(_endpoint.WaitWarm(TimeSpan.FromSeconds(60))); // its session may lift the minimum too
        ThreadPool.GetMinThreads(out int minimum, out _);
        RawResponse? flame = null;
        var asker = new Thread(() => flame = RawHttp.Get(_endpoint.Port, "/flame?seconds=3&format=folded", timeout: TimeSpan.FromSeconds(90))) { IsBackground = true };
        asker.Start();

        // The flame graph has begun (its first look found nothing queued) when the pool starves:
        // 200 work items that block until released, as a burst of sync-over-async requests would.
        Thread.Sleep(300);
        using var release = new ManualResetEventSlim();
        int highest = minimum;
        try
        {
            for (int i = 0; i < 200; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(TimeSpan.FromSeconds(60)), null);
            }

            while (asker.IsAlive)
            {
                ThreadPool.GetMinThreads(out int now, out _);
                highest = Math.Max(highest, now);
                Thread.Sleep(10);
            }
        }
        finally
        {
            release.Set();
        }

        Assert.True(highest > minimum, $"the pool's minimum stayed at {minimum} while the flame graph sampled a starved pool");
        Assert.NotNull(flame);
        Assert.True(flame.Status == 200, $"{flame.Status} after {flame.Elapsed}: {flame.Body}");
        Assert.Contains(flame.Body.Split('\n'), l => l.Contains(nameof(BurnForLiveFlame), StringComparison.Ordinal));
        ThreadPool.GetMinThreads(out int after, out _);
        Assert.Equal(minimum, after);
    }

    [Fact]
    public void BadRequestsGetClearStatuses()
    {
        Assert.Equal(404, RawHttp.Get(_endpoint.Port, "/nope").Status);
        RawResponse tooLong = RawHttp.Get(_endpoint.Port, "/flame?seconds=3600");
        Assert.Equal(400, tooLong.Status);
        Assert.Equal("seconds must be a whole number from 1 to 60.\n", tooLong.Body);
        Assert.Equal(400, RawHttp.Get(_endpoint.Port, "/flame?format=svg").Status);
        RawResponse huge = RawHttp.Get(_endpoint.Port, "/", new Dictionary<string, string> { ["X-Padding"] = new string('x', 9000) });
        Assert.Equal(431, huge.Status);
        RawResponse index = RawHttp.Get(_endpoint.Port, "/");
        Assert.Equal(200, index.Status);
        Assert.Contains("href=\"/dump\"", index.Body, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (Thread thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(10));
        }

        _endpoint.Dispose();
        _logger.Dispose();
        _stop.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private void Run(string name, Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        thread.Start();
        _threads.Add(thread);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BurnInLiveRequest(CancellationToken stop) => Spin(TimeSpan.FromSeconds(60), stop);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BurnForLiveDump(CancellationToken stop) => Spin(TimeSpan.FromSeconds(60), stop);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BurnForLiveFlame(CancellationToken stop) => Spin(TimeSpan.FromSeconds(60), stop);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SleepForLiveDump(CancellationToken stop)
    {
        // Long sleeps: between two of them the thread runs (and, on a loaded machine, waits for a core),
        // and a dump that lands there rightly says "running". 20 ms sleeps left that window open
        // often enough for CI to see it once.
        while (!stop.IsCancellationRequested)
        {
            Thread.Sleep(500);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Spin(TimeSpan limit, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        double x = 1;
        while (!stop.IsCancellationRequested && clock.Elapsed < limit)
        {
            for (int i = 0; i < 10_000; i++)
            {
                x = Math.Sqrt(x + i);
            }
        }

        GC.KeepAlive(x);
    }
}

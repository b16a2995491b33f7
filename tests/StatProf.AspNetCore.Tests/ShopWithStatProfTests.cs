using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StatProf.Sampler;
using StatProf.ShopDemo;

namespace StatProf.AspNetCore.Tests;

/// <summary>
/// End to end: the demo shop on a free loopback port with StatProf embedded the way the README says
/// (AddStatProf bound from the "StatProf" configuration section, UseStatProf), real HTTP requests,
/// and the record file read back.
/// </summary>
public sealed class ShopWithStatProfTests : IAsyncLifetime, IDisposable
{
    private const string Secret = "s3cr3t";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly CollectingLoggerProvider _logs = new();
    private List<JsonElement> _records = [];
    private string _allText = string.Empty;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = ShopApp.CreateBuilder(
        [
            "--urls", "http://127.0.0.1:0",
            "--Shop:Scale=2.0",
            "--Shop:DependencyDelayMs=2500",
            "--StatProf:Threshold=00:00:01",
            "--StatProf:Interval=00:00:00.250",
            "--StatProf:ActivationLead=00:00:00.900",
            "--StatProf:Directory=" + _directory,
        ]);
        builder.Logging.AddProvider(_logs);
        builder.Services.AddStatProf(builder.Configuration.GetSection("StatProf"));
        WebApplication app = ShopApp.Build(builder);
        app.UseStatProf();
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
            // Warm-up under other names: a first request compiles its pipeline, past the 1 s threshold
            // on a saturated machine, and FastRequestsLeaveNoRecords is about warm fast requests.
            foreach (string warm in new[] { "/health?warm=1", "/?warm=1", "/products?warm=1" })
            {
                Assert.True((await http.GetAsync(warm)).IsSuccessStatusCode);
            }

            Assert.True((await http.GetAsync("/health")).IsSuccessStatusCode);

            var order = new HttpRequestMessage(HttpMethod.Get, $"/orders/7?token={Secret}-token");
            order.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret + "-bearer");
            order.Headers.Add("Cookie", $"session={Secret}-cookie");
            Task<HttpResponseMessage> slowOrder = http.SendAsync(order);

            // The order switches sampling on (at threshold minus lead); the inventory request then
            // starts while the session runs, whatever the session's start latency on this machine.
            LongRequestLogger logger = app.Services.GetRequiredService<LongRequestLogger>();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!logger.IsSampling && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            Assert.True(logger.IsSampling, "the slow order switched sampling on");
            Task<HttpResponseMessage> slowInventory = http.GetAsync("/inventory");
            var fast = new List<Task<HttpResponseMessage>>();
            for (int i = 0; i < 10; i++)
            {
                fast.Add(http.GetAsync("/"));
                fast.Add(http.GetAsync("/products"));
                await Task.Delay(50);
            }

            Assert.All(await Task.WhenAll(fast), r => Assert.True(r.IsSuccessStatusCode));
            Assert.True((await slowOrder).IsSuccessStatusCode);
            Assert.True((await slowInventory).IsSuccessStatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        string[] files = Directory.GetFiles(_directory, "*.jsonl");
        _allText = string.Concat(files.Select(File.ReadAllText));
        _records = files.SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _logs.Dispose();

    private IEnumerable<JsonElement> Records(string type) => _records.Where(r => r.GetProperty("type").GetString() == type);

    private static string NameOf(JsonElement record) => record.GetProperty("request").GetProperty("name").GetString()!;

    private string IdOf(string name) => Records("end").Single(e => NameOf(e) == name).GetProperty("request").GetProperty("id").GetString()!;

    /// <summary>The stack line a dump refers to (written earlier in the same file: one file here).</summary>
    private JsonElement StackOf(JsonElement dump) =>
        Records("stack").Single(s => s.GetProperty("id").GetInt64() == dump.GetProperty("stack").GetInt64());

    private List<JsonElement> DumpsOf(string name)
    {
        string id = IdOf(name);
        return _records.Where(r => r.GetProperty("type").GetString() is "dump" or "same")
            .Where(r => (r.TryGetProperty("requestId", out JsonElement rid) ? rid.GetString() : r.GetProperty("request").GetProperty("id").GetString()) == id)
            .ToList();
    }

    [Fact]
    public void SlowOrderIsDumpedWithItsUrlMethodAndElapsedTimeAndTheLoopThatPricesIt()
    {
        const string name = "GET /orders/7?token=REDACTED";
        List<JsonElement> dumps = DumpsOf(name);

        Assert.NotEmpty(dumps);
        Assert.All(dumps, d => Assert.True(d.GetProperty("elapsedMs").GetDouble() >= 1000));
        Assert.Contains(Records("dump"), d => NameOf(d) == name
            && StackOf(d).GetProperty("frames").EnumerateArray().Any(f => f.GetProperty("name").GetString()!.Contains("OrderPricing.PriceOrder", StringComparison.Ordinal)));
        JsonElement end = Records("end").Single(e => NameOf(e) == name);
        Assert.Equal(200, end.GetProperty("status").GetInt32());
        Assert.Equal("http", end.GetProperty("request").GetProperty("kind").GetString());
        Assert.Equal(dumps.Count, end.GetProperty("dumps").GetInt32());
    }

    [Fact]
    public void AsyncInventoryRequestIsRecordedAsAwaitingItsDependency()
    {
        List<JsonElement> dumps = DumpsOf("GET /inventory");

        Assert.NotEmpty(dumps);
        Assert.Contains(dumps, d => d.GetProperty("state").GetString() == "awaiting");
        double duration = Records("end").Single(e => NameOf(e) == "GET /inventory").GetProperty("durationMs").GetDouble();
        Assert.True(duration >= 2400, $"inventory took {duration} ms");
    }

    [Fact]
    public void FastRequestsLeaveNoRecords()
    {
        Assert.DoesNotContain(_records, r => r.TryGetProperty("request", out JsonElement q) && q.GetProperty("name").GetString() is "GET /" or "GET /products" or "GET /health");
    }

    [Fact]
    public void SecretsAreRedactedInTheRecordFile()
    {
        Assert.NotEmpty(_allText);
        Assert.DoesNotContain(Secret, _allText);
        JsonElement tags = Records("end").Single(e => NameOf(e) == "GET /orders/7?token=REDACTED").GetProperty("request").GetProperty("tags");
        Assert.Equal("REDACTED", tags.GetProperty("Authorization").GetString());
        Assert.Equal("REDACTED", tags.GetProperty("Cookie").GetString());
    }

    [Fact]
    public void EachSlowRequestLogsOneWarningPointingAtItsRecords()
    {
        string[] warnings = _logs.Lines.Where(l => l.StartsWith("Warning StatProf:", StringComparison.Ordinal)).ToArray();
        Assert.Contains(warnings, w => w.Contains("Slow request GET /orders/7?token=REDACTED took", StringComparison.Ordinal) && w.Contains(".jsonl", StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, string.Concat(_logs.Lines));
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(CollectingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._lines)
                {
                    owner._lines.Add($"{logLevel} {category}: {formatter(state, exception)}");
                }
            }
        }
    }
}

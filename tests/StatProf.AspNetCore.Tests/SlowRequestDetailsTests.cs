using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StatProf.Sampler;

namespace StatProf.AspNetCore.Tests;

/// <summary>
/// What the middleware records of a slow request but reads only once the request is slow (its
/// trace identifier, captured headers and whether the client went away), over real HTTP on Kestrel:
/// the record says what the server and the client saw.
/// </summary>
public sealed class SlowRequestDetailsTests : IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-details-").FullName;
    private readonly TaskCompletionSource _hangCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private volatile bool _lingerSawAbort;
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddStatProf(configure: options =>
        {
            options.Threshold = TimeSpan.FromMilliseconds(300);
            options.Interval = TimeSpan.FromMilliseconds(100);
            options.ActivationLead = TimeSpan.FromMilliseconds(150);
            options.Directory = _directory;
        });
        _app = builder.Build();
        _app.UseStatProf();
        _app.MapGet("/slow", (HttpContext context, LongRequestLogger logger) =>
        {
            // Past the threshold until sampling runs (its start takes seconds on a loaded machine),
            // then 1 s more: ten dumps at the 100 ms interval.
            var clock = Stopwatch.StartNew();
            while (!logger.IsSampling && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(50);
            }

            Thread.Sleep(1000);
            return context.TraceIdentifier;
        });
        _app.MapGet("/linger", (CancellationToken aborted) =>
        {
            _entered.TrySetResult();
            // Past the client's patience, and returns normally, but only once the server has seen the
            // client go (on a loaded machine Kestrel's read loop can notice seconds after the client
            // closed; a fixed sleep then raced it). Never throws: the point is a normal return.
            _lingerSawAbort = aborted.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
            return "too late";
        });
        _app.MapGet("/hang", async (CancellationToken aborted) =>
        {
            try
            {
                _entered.TrySetResult();
                await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            }
            catch (OperationCanceledException)
            {
                _hangCancelled.TrySetResult();
                throw;
            }
        });
        _app.MapGet("/", () => "ok");
        await _app.StartAsync();
        _http.BaseAddress = new Uri(_app.Urls.First());
        await _http.GetStringAsync("/"); // the first request compiles the pipeline: seconds on a loaded machine
    }

    /// <summary>
    /// Sends <paramref name="path"/> and gives up once its handler has run past the threshold: a
    /// client that went away from a slow request, whatever the machine's load.
    /// </summary>
    private async Task GiveUpOnceSlowAsync(string path)
    {
        using var giveUp = new CancellationTokenSource();
        Task<HttpResponseMessage> sent = _http.GetAsync(path, giveUp.Token);
        await _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromMilliseconds(700)); // past the 300 ms threshold, counted from before the handler
        giveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sent);
    }

    public void Dispose() => _http.Dispose();

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TheEndRecordCarriesTheServersTraceIdentifierAndTheCapturedHeaders()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/slow?page=3");
        request.Headers.UserAgent.ParseAdd("details-test/1.0");
        request.Headers.Add("X-Request-Id", "req-42");
        HttpResponseMessage response = await _http.SendAsync(request);
        string traceIdentifier = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrEmpty(traceIdentifier));

        JsonElement end = await EndRecordAsync("GET /slow?page=REDACTED");
        JsonElement described = end.GetProperty("request");
        Assert.Equal(traceIdentifier, described.GetProperty("id").GetString());
        Assert.Equal("details-test/1.0", described.GetProperty("tags").GetProperty("User-Agent").GetString());
        Assert.Equal("req-42", described.GetProperty("tags").GetProperty("X-Request-Id").GetString());
        Assert.Equal("ok", end.GetProperty("outcome").GetString());
        Assert.Equal(200, end.GetProperty("status").GetInt32());

        // Its dumps were recorded under the same id.
        Assert.Contains(Records(), r => r.GetProperty("type").GetString() == "dump" && r.GetProperty("request").GetProperty("id").GetString() == traceIdentifier);
    }

    [Fact]
    public async Task ASlowRequestWhoseClientWentAwayIsRecordedAsCancelled()
    {
        await GiveUpOnceSlowAsync("/hang");
        await _hangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        JsonElement end = await EndRecordAsync("GET /hang");
        Assert.Equal("cancelled", end.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task ASlowRequestThatOutlivesItsClientAndReturnsNormallyIsRecordedAsCancelled()
    {
        await GiveUpOnceSlowAsync("/linger");

        JsonElement end = await EndRecordAsync("GET /linger");
        Assert.True(_lingerSawAbort, "Kestrel did not signal the client's disconnect to the handler within 30 s");
        Assert.Equal("cancelled", end.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, end.GetProperty("error").ValueKind);
    }

    private List<JsonElement> Records() =>
        Directory.GetFiles(_directory, "*.jsonl")
            .SelectMany(f => File.ReadAllText(f).Split('\n').SkipLast(1)) // a line being written is left for the next read
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();

    /// <summary>The request's end record, once written (its samples can come seconds late on a loaded machine).</summary>
    private async Task<JsonElement> EndRecordAsync(string name)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
        {
            foreach (JsonElement record in Records())
            {
                if (record.GetProperty("type").GetString() == "end" && record.GetProperty("request").GetProperty("name").GetString() == name)
                {
                    return record;
                }
            }
        }

        throw new Xunit.Sdk.XunitException($"no end record for {name} in 30 s");
    }
}

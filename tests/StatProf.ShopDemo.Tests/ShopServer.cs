using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace StatProf.ShopDemo.Tests;

/// <summary>
/// The real shop, started in this process on 127.0.0.1 and a free port, with an HttpClient
/// pointed at it. Settings are command-line style, e.g. <c>--Shop:Scale=0.05</c>.
/// </summary>
internal sealed class ShopServer : IAsyncDisposable
{
    /// <summary>Small settings so that tests run fast; no backup starts within a test unless asked.</summary>
    public static readonly string[] FastSettings =
    [
        "--Shop:Scale=0.02",
        "--Shop:DependencyDelayMs=300",
        "--Shop:BackupEveryMs=600000",
        "--Shop:BackupHoldMs=1",
    ];

    private readonly WebApplication _app;

    private ShopServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>Starts a shop; later settings override earlier ones, so <paramref name="settings"/> override <see cref="FastSettings"/>.</summary>
    public static async Task<ShopServer> StartAsync(params string[] settings) => await StartAsync(logs: null, settings);

    public static async Task<ShopServer> StartAsync(ILoggerProvider? logs, params string[] settings)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. FastSettings, .. settings];
        WebApplicationBuilder builder = ShopApp.CreateBuilder(args);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        WebApplication app = ShopApp.Build(builder);
        await app.StartAsync();
        return new ShopServer(app, new Uri(app.Urls.Single()));
    }

    /// <summary>GETs <paramref name="path"/>, requires a 200, and returns its JSON and how long it took.</summary>
    public async Task<(JsonElement Json, TimeSpan Elapsed)> GetJsonAsync(string path)
    {
        long start = Stopwatch.GetTimestamp();
        using HttpResponseMessage response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        string body = await response.Content.ReadAsStringAsync();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument document = JsonDocument.Parse(body);
        return (document.RootElement.Clone(), elapsed);
    }

    public async Task<bool> IsBackupRunningAsync() =>
        (await GetJsonAsync("/health")).Json.GetProperty("backupRunning").GetBoolean();

    /// <summary>Polls <c>/health</c> until the backup is (or is not) running; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForBackupAsync(bool running, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (await IsBackupRunningAsync() != running)
        {
            Assert.True(clock.Elapsed < timeout, $"backupRunning did not become {running} within {timeout}.");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

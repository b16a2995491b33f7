using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StatProf.ShopDemo.Tests;

public sealed class ShopAppTests
{
    [Fact]
    public async Task FastPagesAnswer200WithTheirJson()
    {
        await using ShopServer shop = await ShopServer.StartAsync();

        var (home, _) = await shop.GetJsonAsync("/");
        Assert.Equal("StatProf demo shop", home.GetProperty("shop").GetString());
        Assert.Contains("/report", home.GetProperty("pages").EnumerateArray().Select(p => p.GetString()));

        var (products, _) = await shop.GetJsonAsync("/products");
        Assert.Equal(200, products.GetProperty("count").GetInt32());
        Assert.Equal(200, products.GetProperty("products").GetArrayLength());
        Assert.True(products.GetProperty("products")[0].GetProperty("unitPrice").GetDecimal() > 0);

        var (health, _) = await shop.GetJsonAsync("/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.False(health.GetProperty("backupRunning").GetBoolean());
    }

    [Fact]
    public async Task TheShopLogsThePortItReallyListensOn()
    {
        var logs = new ListLoggerProvider();
        await using ShopServer shop = await ShopServer.StartAsync(logs, "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");

        Assert.Equal("127.0.0.1", shop.Address.Host);
        Assert.NotEqual(0, shop.Address.Port);
        Assert.Contains(logs.Messages, m => m == $"Now listening on: http://127.0.0.1:{shop.Address.Port}");
    }

    [Fact]
    public async Task TwoShopsInOneProcessEachHaveTheirOwnDatabaseLock()
    {
        // A long hold: the idle shop's report must come back while the busy shop's backup still holds
        // its lock, even on a loaded CI machine (a 900 ms hold was once over before the report).
        await using ShopServer busy = await ShopServer.StartAsync("--Shop:BackupEveryMs=5000", "--Shop:BackupHoldMs=4900");
        await using ShopServer idle = await ShopServer.StartAsync();

        await busy.WaitForBackupAsync(running: true, TimeSpan.FromSeconds(20));
        var (report, _) = await idle.GetJsonAsync("/report");

        Assert.Equal(200, report.GetProperty("products").GetInt32());
        Assert.True(await busy.IsBackupRunningAsync(), "the idle shop's report should not have waited for the busy shop's backup");
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://localhost:0")]
    [InlineData("http://[::1]:0")]
    [InlineData("https://127.0.0.1:0")]
    [InlineData("http://127.0.0.1:0;http://0.0.0.0:0")]
    public void CreateBuilderRefusesAnyAddressButHttpOn127001(string urls)
    {
        var error = Assert.Throws<ArgumentException>(() => ShopApp.CreateBuilder(["--urls", urls]));

        Assert.Contains("127.0.0.1", error.Message);
        Assert.Equal("args", error.ParamName);
    }

    [Fact]
    public void CreateBuilderListensOn127001Port5080WhenNoUrlIsGiven()
    {
        var builder = ShopApp.CreateBuilder([]);

        Assert.Equal("http://127.0.0.1:5080", builder.Configuration["urls"]);
    }

    [Theory]
    [InlineData("--Shop:Scale=0", "Shop:Scale")]
    [InlineData("--Shop:BackupHoldMs=6000", "Shop:BackupEveryMs")]
    [InlineData("--Shop:DependencyDelayMs=-1", "Shop:DependencyDelayMs")]
    public async Task StartRefusesSettingsThatMakeNoSense(string setting, string named)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None", setting];
        await using var app = ShopApp.Build(ShopApp.CreateBuilder(args));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(named, error.Message);
    }

    /// <summary>Keeps every formatted log message, from every category.</summary>
    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(Messages);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}

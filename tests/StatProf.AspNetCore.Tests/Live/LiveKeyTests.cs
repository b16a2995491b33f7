using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StatProf.AspNetCore.Tests.Live;

/// <summary>Who may ask: loopback by default, a key for anything else, 401 without the right key.</summary>
[Collection(LiveTestGroup.Name)]
public sealed class LiveKeyTests
{
    private const string Key = "correct-horse-battery-staple";

    [Fact]
    public void NonLoopbackAddressWithoutKeyIsRefusedWithOneErrorLine()
    {
        var log = new ListLogger();
        using var endpoint = new StatProfLiveEndpoint(new StatProfLiveOptions { Enabled = true, Address = "0.0.0.0" }, logger: null, log);

        Assert.False(endpoint.Start());
        Assert.Equal(0, endpoint.Port);
        Assert.Equal(
            ["Error: StatProf live endpoint not started: binding to 0.0.0.0, which is not loopback, requires StatProf:Live:Key (or bind to 127.0.0.1)."],
            log.Lines);
    }

    [Fact]
    public void BadAddressIsRefusedWithOneErrorLine()
    {
        var log = new ListLogger();
        using var endpoint = new StatProfLiveEndpoint(new StatProfLiveOptions { Address = "localhost" }, logger: null, log);

        Assert.False(endpoint.Start());
        Assert.Equal(["Error: StatProf live endpoint not started: StatProf:Live:Address 'localhost' is not an IP address."], log.Lines);
    }

    [Fact]
    public void NonLoopbackWithKeyAnswersOnlyRequestsCarryingTheRightKey()
    {
        var log = new ListLogger();
        using var endpoint = new StatProfLiveEndpoint(new StatProfLiveOptions { Enabled = true, Address = "0.0.0.0", Key = Key }, logger: null, log);
        Assert.True(endpoint.Start());
        Assert.Contains(log.Lines, l => l.StartsWith($"Information: StatProf live endpoint listening on http://0.0.0.0:{endpoint.Port}/", StringComparison.Ordinal) && l.EndsWith("key required", StringComparison.Ordinal));

        RawResponse missing = RawHttp.Get(endpoint.Port, "/requests?format=json");
        Assert.Equal(401, missing.Status);
        Assert.Equal("Missing or wrong key: send the X-StatProf-Key header or ?key=.\n", missing.Body);
        Assert.Equal(401, RawHttp.Get(endpoint.Port, "/dump", new Dictionary<string, string> { ["X-StatProf-Key"] = Key + "x" }).Status);
        Assert.Equal(401, RawHttp.Get(endpoint.Port, "/dump?key=" + Key[..^1]).Status);
        Assert.Equal(401, RawHttp.Get(endpoint.Port, "/?key=").Status);

        RawResponse byHeader = RawHttp.Get(endpoint.Port, "/requests?format=json", new Dictionary<string, string> { ["X-StatProf-Key"] = Key });
        Assert.Equal(200, byHeader.Status);
        Assert.Contains("\"requests\": []", byHeader.Body, StringComparison.Ordinal);

        RawResponse byQuery = RawHttp.Get(endpoint.Port, "/?key=" + Key);
        Assert.Equal(200, byQuery.Status);
        Assert.Contains($"href=\"/dump?key={Key}\"", byQuery.Body, StringComparison.Ordinal); // links carry the key on
    }

    [Fact]
    public void LoopbackWithKeyStillRequiresIt()
    {
        using var endpoint = new StatProfLiveEndpoint(new StatProfLiveOptions { Enabled = true, Key = Key });
        Assert.True(endpoint.Start());

        Assert.Equal(401, RawHttp.Get(endpoint.Port, "/").Status);
        Assert.Equal(200, RawHttp.Get(endpoint.Port, "/", new Dictionary<string, string> { ["x-statprof-key"] = Key }).Status);
    }

    [Fact]
    public async Task HostWithNonLoopbackLiveAddressAndNoKeyStartsWithoutTheEndpointAndLogsWhy()
    {
        var log = new ListLogger();
        WebApplicationBuilder builder = WebApplication.CreateBuilder(
            ["--urls", "http://127.0.0.1:0", "--StatProf:Live:Enabled=true", "--StatProf:Live:Address=0.0.0.0", "--StatProf:Directory=" + Path.Combine(Path.GetTempPath(), "statprof-livecfg-" + Guid.NewGuid().ToString("N"))]);
        builder.Logging.ClearProviders().AddProvider(log);
        builder.Services.AddStatProf(builder.Configuration.GetSection("StatProf"));
        await using WebApplication app = builder.Build();
        await app.StartAsync();
        try
        {
            Assert.Equal(0, app.Services.GetRequiredService<StatProfLiveEndpoint>().Port);
            Assert.Single(log.Lines, l => l == "Error: StatProf live endpoint not started: binding to 0.0.0.0, which is not loopback, requires StatProf:Live:Key (or bind to 127.0.0.1).");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void OffByDefault()
    {
        Assert.False(new StatProfLiveOptions().Enabled);
        Assert.Equal("127.0.0.1", new StatProfLiveOptions().Address);
        Assert.Null(new StatProfLiveOptions().Key);
    }

    [Fact]
    public void DisposedEndpointStopsListening()
    {
        var endpoint = new StatProfLiveEndpoint(new StatProfLiveOptions { Enabled = true });
        Assert.True(endpoint.Start());
        int port = endpoint.Port;
        Assert.Equal(200, RawHttp.Get(port, "/").Status);
        endpoint.Dispose();

        Assert.Throws<System.Net.Sockets.SocketException>(() => RawHttp.Get(port, "/"));
    }
}

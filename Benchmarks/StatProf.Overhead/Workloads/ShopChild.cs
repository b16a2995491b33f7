using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StatProf.Overhead.Harness;
using StatProf.Sampler;
using StatProf.ShopDemo;

namespace StatProf.Overhead.Workloads;

/// <summary>
/// The demo shop child: <c>shop --profiler KEY --port P --records DIR</c>. Serves
/// <c>samples/ShopDemo</c> on <c>http://127.0.0.1:P</c>; with StatProf embedded as a service embeds
/// it (<c>AddStatProf</c> + <c>UseStatProf</c>, default threshold 2 s, continuous for the sampling
/// configurations). Prints <see cref="ChildProtocol.Ready"/> when it serves (and samples), then
/// runs until a line arrives on stdin, prints its StatProf counters and stops.
/// </summary>
internal static class ShopChild
{
    public static async Task<int> RunAsync(string[] args)
    {
        Profiler profiler = ProfilerExtensions.Parse(ChildProtocol.Option(args, "--profiler", "none"));
        int port = ChildProtocol.IntOption(args, "--port", 5080);
        string records = ChildProtocol.Option(args, "--records", Path.Combine(Path.GetTempPath(), "statprof-overhead"));

        WebApplicationBuilder builder = ShopApp.CreateBuilder(
        [
            "--urls", $"http://127.0.0.1:{port}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        if (profiler.EmbedsStatProf())
        {
            builder.Services.AddStatProf(configure: options => EmbeddedStatProf.Configure(options, profiler, records));
        }

        WebApplication app = ShopApp.Build(builder);
        if (profiler.EmbedsStatProf())
        {
            app.UseStatProf();
        }

        await app.StartAsync();
        LongRequestLogger? logger = profiler.EmbedsStatProf() ? app.Services.GetRequiredService<LongRequestLogger>() : null;
        if (logger is not null && profiler.SamplesContinuously() && !EmbeddedStatProf.WaitUntilSampling(logger, TimeSpan.FromSeconds(60)))
        {
            await Console.Error.WriteLineAsync($"shop child: StatProf's sampling session did not start within 60 s ({logger.Sampler.LastFault?.Message ?? "no fault reported"})");
            await app.StopAsync();
            return ChildProtocol.SetupFailed;
        }

        Console.WriteLine(ChildProtocol.Ready);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int gcs = GC.CollectionCount(0);
        long allocated = GC.GetTotalAllocatedBytes();
        _ = Console.ReadLine();
        double seconds = clock.Elapsed.TotalSeconds;
        LongRequestLoggerStatistics? stats = logger?.GetStatistics();
        var result = new ShopResult(
            stats?.IsSampling ?? false, stats?.Sampler.Ticks ?? 0, stats?.Activations ?? 0, stats?.SlowRequests ?? 0,
            (GC.CollectionCount(0) - gcs) / seconds, (GC.GetTotalAllocatedBytes() - allocated) / 1e6 / seconds);
        Console.WriteLine(ChildProtocol.ResultPrefix + JsonSerializer.Serialize(result, ResultJson.Default.ShopResult));
        await app.StopAsync();
        await app.DisposeAsync();
        return 0;
    }
}

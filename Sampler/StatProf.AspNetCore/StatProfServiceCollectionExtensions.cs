using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StatProf.AspNetCore;
using StatProf.Sampler;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StatProf's long-request logger in an application's services.</summary>
public static class StatProfServiceCollectionExtensions
{
    /// <summary>
    /// Adds the long-request logger, configured from <paramref name="configuration"/> (typically
    /// <c>builder.Configuration.GetSection("StatProf")</c>: Threshold, Interval, Directory, …, and
    /// <c>Http:CapturedHeaders</c>, <c>Live:Enabled</c>, <c>Live:Port</c>, <c>Live:Key</c> for the live endpoint), then by <paramref name="configure"/>. The logger starts with the
    /// host, writes one warning log line per slow request, and is stopped (its records flushed) when
    /// the host stops.
    /// </summary>
    public static IServiceCollection AddStatProf(this IServiceCollection services, IConfiguration? configuration = null, Action<LongRequestLoggerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new LongRequestLoggerOptions();
        var http = new StatProfHttpOptions();
        var live = new StatProfLiveOptions();
        if (configuration is not null)
        {
            configuration.Bind(options);
            configuration.GetSection("Http").Bind(http);
            configuration.GetSection("Live").Bind(live);
        }

        configure?.Invoke(options);
        services.AddSingleton(http);
        services.AddSingleton(provider =>
        {
            ILogger log = provider.GetRequiredService<ILoggerFactory>().CreateLogger("StatProf");
            options.Logger ??= log;
            var logger = new LongRequestLogger(options);
            logger.SlowRequestEnded += (_, slow) => log.LogWarning(
                "Slow request {Name} took {DurationMs:0} ms ({Outcome}, status {Status}); {Dumps} stack dumps in {RecordFile}, request id {RequestId}",
                slow.Name,
                slow.Duration.TotalMilliseconds,
                slow.Outcome,
                slow.Status,
                slow.Dumps,
                slow.RecordFile,
                slow.Id);
            return logger;
        });
        services.AddSingleton(live);
        services.AddSingleton(provider => new StatProfLiveEndpoint(
            live,
            provider.GetRequiredService<LongRequestLogger>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("StatProf")));
        services.AddHostedService<StatProfHostedService>();
        return services;
    }
}

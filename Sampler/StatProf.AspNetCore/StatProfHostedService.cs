using Microsoft.Extensions.Hosting;
using StatProf.Sampler;

namespace StatProf.AspNetCore;

/// <summary>
/// Creates the logger when the host starts, starts the live endpoint when enabled, and stops both
/// (flushing the logger's records) when the host stops.
/// </summary>
internal sealed class StatProfHostedService(LongRequestLogger logger, StatProfLiveOptions liveOptions, StatProfLiveEndpoint live) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (liveOptions.Enabled)
        {
            live.Start(); // logs one error line and carries on when it cannot start
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        live.Dispose();
        logger.Dispose();
        return Task.CompletedTask;
    }
}

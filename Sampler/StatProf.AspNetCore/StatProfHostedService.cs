using Microsoft.Extensions.Hosting;
using StatProf.Sampler;

namespace StatProf.AspNetCore;

/// <summary>Creates the logger when the host starts and stops it (flushing its records) when the host stops.</summary>
internal sealed class StatProfHostedService(LongRequestLogger logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        logger.Dispose();
        return Task.CompletedTask;
    }
}

using Microsoft.Extensions.Logging;

namespace StatProf.Sampler.Internal;

/// <summary>The sampler's log lines, in one place.</summary>
internal static class Log
{
    public static void LogSamplerStarted(this ILogger logger, SamplingMode mode, TimeSpan session, TimeSpan rundown)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("StatProf sampler started ({Mode}): session {SessionMs:0} ms, rundown {RundownMs:0} ms.", mode, session.TotalMilliseconds, rundown.TotalMilliseconds);
        }
    }

    public static void LogSamplerStopped(this ILogger logger, SamplerCounters counters)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("StatProf sampler stopped: {Kept} samples kept, {Dropped} dropped, {Lost} lost by the runtime.", counters.SamplesKept, counters.DroppedByOverflow, counters.LostByRuntime);
        }
    }

    public static void LogSamplerFault(this ILogger logger, Exception fault) =>
        logger.LogError(fault, "StatProf sampler stopped after a fault: {Message}", fault.Message);

    public static void LogSamplerAbandoned(this ILogger logger, TimeSpan timeout) =>
        logger.LogWarning("StatProf sampler thread did not end within {TimeoutMs:0} ms after stop; it was left to end by itself.", timeout.TotalMilliseconds);
}

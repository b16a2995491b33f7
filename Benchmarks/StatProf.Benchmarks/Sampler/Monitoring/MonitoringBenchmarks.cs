using StatProf.Sampler;

namespace StatProf.Benchmarks.Sampler.Monitoring;

/// <summary>The idle logger the monitoring suites measure scopes on, and its checked disposal.</summary>
internal static class MonitoringBenchmarks
{
    /// <summary>
    /// A logger with the default options except a threshold of ten minutes, far beyond any request of
    /// a benchmark: scopes pay only their bookkeeping, no sampling session ever starts.
    /// </summary>
    /// <remarks>
    /// Not more: with the 1 GHz Stopwatch of Linux, a threshold above about 15 minutes overflows the
    /// registry's end-notice limit (threshold minus lead, converted Stopwatch ticks × 10⁷ / frequency)
    /// to 100 ns, and every request then reports its end and starts a session.
    /// </remarks>
    public static LongRequestLogger CreateIdleLogger(string suite, out string directory)
    {
        directory = Path.Combine(Path.GetTempPath(), $"statprof-bench-{suite}-{Environment.ProcessId}");
        return new LongRequestLogger(new LongRequestLoggerOptions
        {
            Directory = directory,
            Threshold = TimeSpan.FromMinutes(10),
        });
    }

    /// <summary>Disposes the logger and its directory; throws when a session ran after all (the figures would include it).</summary>
    public static void DisposeAndCheckIdle(LongRequestLogger logger, string directory)
    {
        LongRequestLoggerStatistics statistics = logger.GetStatistics();
        logger.Dispose();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        if (statistics.Activations != 0 || statistics.SlowRequests != 0)
        {
            throw new InvalidOperationException(
                $"The logger sampled ({statistics.Activations} activations, {statistics.SlowRequests} slow requests): the figures include a sampling session.");
        }
    }
}

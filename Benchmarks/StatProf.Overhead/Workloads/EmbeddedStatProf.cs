using System.Diagnostics;
using StatProf.Overhead.Harness;
using StatProf.Sampler;

namespace StatProf.Overhead.Workloads;

/// <summary>StatProf as a service embeds it: a <see cref="LongRequestLogger"/>, continuous or not.</summary>
internal static class EmbeddedStatProf
{
    /// <summary>The logger's options for a configuration: default threshold (2 s) and interval, records under <paramref name="directory"/>.</summary>
    public static void Configure(LongRequestLoggerOptions options, Profiler profiler, string directory)
    {
        options.Directory = directory;
        options.Continuous = profiler.SamplesContinuously();
    }

    /// <summary>
    /// Waits until a continuous logger's session runs (ticks arrive), so that the measurement starts
    /// with sampling on. Returns false after <paramref name="timeout"/>.
    /// </summary>
    public static bool WaitUntilSampling(LongRequestLogger logger, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (logger.IsSampling && logger.GetStatistics().Sampler.Ticks > 0)
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return false;
    }
}

namespace StatProf.Overhead.Harness;

/// <summary>What watches a child workload: the configurations the harness compares side by side.</summary>
internal enum Profiler
{
    /// <summary>Nothing: the baseline.</summary>
    None,

    /// <summary>StatProf embedded, monitoring every operation, no request slow: no sampling session runs.</summary>
    Idle,

    /// <summary>StatProf embedded, sampling continuously at the runtime's default 1 ms tick.</summary>
    Tick1,

    /// <summary>StatProf embedded, sampling continuously at a 10 ms tick (<c>DOTNET_EventPipeThreadSamplingRate=A</c>).</summary>
    Tick10,

    /// <summary>StatProf embedded, sampling continuously at a 100 ms tick (<c>DOTNET_EventPipeThreadSamplingRate=64</c>).</summary>
    Tick100,

    /// <summary><c>dotnet-trace collect -p PID</c> (its default profiles), attached to the plain workload.</summary>
    DotnetTrace,

    /// <summary>
    /// The same at a 10 ms tick (the child started with <c>DOTNET_EventPipeThreadSamplingRate=A</c>):
    /// the peer at StatProf's 10 ms configuration. Not in the default run (<c>--profilers dotnet-trace-10ms</c>).
    /// </summary>
    DotnetTrace10,
}

/// <summary>What each <see cref="Profiler"/> means for a child process.</summary>
internal static class ProfilerExtensions
{
    /// <summary>The runtime's tick knob; read once at process start, hexadecimal milliseconds (docs/sampling.md).</summary>
    public const string TickVariable = "DOTNET_EventPipeThreadSamplingRate";

    /// <summary>Name in results, plots and on the child's command line.</summary>
    public static string Key(this Profiler profiler) => profiler switch
    {
        Profiler.None => "none",
        Profiler.Idle => "statprof-idle",
        Profiler.Tick1 => "statprof-1ms",
        Profiler.Tick10 => "statprof-10ms",
        Profiler.Tick100 => "statprof-100ms",
        Profiler.DotnetTrace => "dotnet-trace",
        Profiler.DotnetTrace10 => "dotnet-trace-10ms",
        _ => throw new ArgumentOutOfRangeException(nameof(profiler)),
    };

    /// <summary>Parses <see cref="Key"/>.</summary>
    public static Profiler Parse(string key)
    {
        foreach (Profiler profiler in Enum.GetValues<Profiler>())
        {
            if (profiler.Key() == key)
            {
                return profiler;
            }
        }

        throw new ArgumentException($"unknown profiler '{key}'", nameof(key));
    }

    /// <summary>Whether dotnet-trace is attached to the child.</summary>
    public static bool AttachesDotnetTrace(this Profiler profiler) => profiler is Profiler.DotnetTrace or Profiler.DotnetTrace10;

    /// <summary>Whether StatProf is embedded in the child.</summary>
    public static bool EmbedsStatProf(this Profiler profiler) => profiler is Profiler.Idle or Profiler.Tick1 or Profiler.Tick10 or Profiler.Tick100;

    /// <summary>Whether StatProf keeps a sampling session open for the whole run.</summary>
    public static bool SamplesContinuously(this Profiler profiler) => profiler is Profiler.Tick1 or Profiler.Tick10 or Profiler.Tick100;

    /// <summary>The nominal tick in milliseconds for the sampling configurations (dotnet-trace uses the default, 1 ms), else null.</summary>
    public static double? TickMilliseconds(this Profiler profiler) => profiler switch
    {
        Profiler.Tick1 or Profiler.DotnetTrace => 1,
        Profiler.Tick10 or Profiler.DotnetTrace10 => 10,
        Profiler.Tick100 => 100,
        _ => null,
    };

    /// <summary>
    /// The value of <see cref="TickVariable"/> in the child's environment, or null to remove it
    /// (the default tick): 10 ms is <c>A</c> and 100 ms is <c>64</c> because the runtime reads hexadecimal.
    /// </summary>
    public static string? TickSetting(this Profiler profiler) => profiler switch
    {
        Profiler.Tick10 or Profiler.DotnetTrace10 => "A",
        Profiler.Tick100 => "64",
        _ => null,
    };
}

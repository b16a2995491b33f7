using System.Globalization;

namespace StatProf.Overhead.Harness;

/// <summary>
/// CPU time (user + system, all threads) another process has used so far, from
/// <c>/proc/PID/stat</c> (fields 14 and 15, in clock ticks of 10 ms): the driver reads it at the
/// start and end of a measured window. <see cref="TimeSpan.Zero"/> where there is no /proc.
/// </summary>
/// <remarks>
/// On a machine shared with other work, wall-clock throughput mostly measures the share of the
/// cores the workload got; CPU time per operation measures what the work (and the profiler's part
/// of it) costs, whatever the share. <see cref="System.Diagnostics.Process.TotalProcessorTime"/>
/// would need a Process object per read; this is one file read.
/// </remarks>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, fixed at 100 for /proc on Linux

    public static TimeSpan Read(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 of proc(5): utime (14) and stime (15) are fields[11] and fields[12].
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return TimeSpan.Zero;
        }
    }
}

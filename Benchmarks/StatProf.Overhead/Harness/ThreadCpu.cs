using System.Globalization;

namespace StatProf.Overhead.Harness;

/// <summary>
/// Where a child's CPU time goes, by kind of thread: each thread's user + system time from
/// <c>/proc/PID/task/TID/stat</c> and its name from <c>…/comm</c>, read by the CPU child itself when
/// its measured window opens and just before it closes (while its workers still run). The runtime and StatProf name their threads, so the kinds tell the
/// workload's own work from a profiler's (its reader, the runtime's EventPipe threads, the JIT's
/// tiering of the profiler's code). Linux only; elsewhere every read is empty.
/// </summary>
internal static class ThreadCpu
{
    private const double MsPerTick = 10; // USER_HZ is 100 for /proc on Linux

    /// <summary>The kinds, in the order reports show them.</summary>
    public static readonly string[] Kinds = ["workload", "statprof", "eventpipe", "jit", "threadpool", "other"];

    /// <summary>Each live thread's name and CPU time so far, in clock ticks.</summary>
    public static Dictionary<int, (string Name, long Ticks)> Snapshot(int pid)
    {
        var result = new Dictionary<int, (string, long)>();
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return result;
        }

        foreach (string task in tasks)
        {
            try
            {
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
                result[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (name, ticks);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return result;
    }

    /// <summary>The thread pool's worker threads in a snapshot (<c>.NET TP Worker</c>).</summary>
    public static int PoolWorkers(Dictionary<int, (string Name, long Ticks)> threads) =>
        threads.Values.Count(t => t.Name.StartsWith(".NET TP Worker", StringComparison.Ordinal));

    /// <summary>CPU milliseconds per second of <paramref name="seconds"/>, by kind, between two snapshots.</summary>
    public static Dictionary<string, double> PerSecondByKind(
        Dictionary<int, (string Name, long Ticks)> start, Dictionary<int, (string Name, long Ticks)> end, double seconds)
    {
        var result = Kinds.ToDictionary(k => k, _ => 0.0);
        if (seconds <= 0)
        {
            return result;
        }

        foreach ((int tid, (string name, long ticks)) in end)
        {
            long before = start.TryGetValue(tid, out var s) ? s.Ticks : 0;
            result[KindOf(name)] += (ticks - before) * MsPerTick / seconds;
        }

        return result;
    }

    /// <summary>The kind of a thread by its name (Linux truncates names to 15 characters).</summary>
    public static string KindOf(string name) => name switch
    {
        _ when name.StartsWith("worker", StringComparison.Ordinal) || name is "probe" or "parked" => "workload",
        _ when name.StartsWith("StatProf", StringComparison.Ordinal) => "statprof",
        _ when name.StartsWith(".NET EventPipe", StringComparison.Ordinal) || name.StartsWith(".NET SampleProf", StringComparison.Ordinal) => "eventpipe",
        _ when name.StartsWith(".NET Tiered", StringComparison.Ordinal) => "jit",
        _ when name.StartsWith(".NET TP", StringComparison.Ordinal) || name.StartsWith(".NET Sockets", StringComparison.Ordinal) || name.StartsWith(".NET Long Running", StringComparison.Ordinal) => "threadpool",
        _ => "other",
    };
}

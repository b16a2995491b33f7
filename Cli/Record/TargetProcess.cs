using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Diagnostics.NETCore.Client;

namespace StatProf.Cli.Record;

/// <summary>
/// What statprof can learn about a target process before and while it connects to its diagnostic
/// port, turned into one-line messages a user can act on (<see cref="RecordFailure"/>).
/// </summary>
internal static class TargetProcess
{
    /// <summary>The process's name, or throws "no such process".</summary>
    /// <exception cref="RecordFailure">No process has this id.</exception>
    public static string NameOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (ArgumentException)
        {
            throw new RecordFailure(RecordFailure.TargetError, $"no process with id {pid}.");
        }
        catch (InvalidOperationException)
        {
            throw new RecordFailure(RecordFailure.TargetError, $"no process with id {pid}.");
        }
    }

    /// <summary>The diagnostic socket files of <paramref name="pid"/> in the temporary directory.</summary>
    public static string[] Sockets(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            return DiagnosticsClient.GetPublishedProcesses().Contains(pid) ? [$"dotnet-diagnostic-{pid}"] : [];
        }

        string[] sockets;
        try
        {
            sockets = Directory.GetFiles(System.IO.Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket");
        }
        catch (IOException)
        {
            return [];
        }

        // A runtime killed with SIGKILL leaves its socket behind, and process ids are reused: a new
        // process can inherit a dead runtime's socket name. The runtime names its socket with its
        // start time in clock ticks since boot (field 22 of /proc/PID/stat), so only that one is its own.
        // A process that is gone (its /proc entry too) owns none of them: a program that exited at
        // once would otherwise be taken for the dead runtime whose socket it left.
        if (StartTicks(pid) is { } start)
        {
            return Array.FindAll(sockets, socket => socket.EndsWith($"-{pid}-{start}-socket", StringComparison.Ordinal));
        }

        return OperatingSystem.IsLinux() && !Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}") ? [] : sockets;
    }

    /// <summary>The process's start time in clock ticks since boot, on Linux; null where it cannot be read.</summary>
    private static string? StartTicks(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            int close = stat.LastIndexOf(')');
            if (close < 0)
            {
                return null;
            }

            // Fields after the command name start at field 3 (state); start time is field 22.
            string[] fields = stat[(close + 2)..].Split(' ');
            return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? fields[19] : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Throws the right one-line failure when <paramref name="pid"/> has no diagnostic socket: its
    /// diagnostics are disabled (read from its environment when statprof may), or it is not .NET.
    /// </summary>
    /// <exception cref="RecordFailure">Always, when the process has no socket.</exception>
    public static void RequireSocket(int pid, string name)
    {
        if (Sockets(pid).Length > 0)
        {
            return;
        }

        if (!IsAlive(pid))
        {
            throw new RecordFailure(RecordFailure.TargetError, $"process {pid} ({name}) exited before statprof could attach.");
        }

        if (EnvironmentOf(pid) is { } environment)
        {
            foreach (string variable in (string[])["DOTNET_EnableDiagnostics", "COMPlus_EnableDiagnostics", "DOTNET_EnableDiagnostics_IPC", "COMPlus_EnableDiagnostics_IPC"])
            {
                if (environment.TryGetValue(variable, out string? value) && value.Trim() == "0")
                {
                    throw new RecordFailure(
                        RecordFailure.TargetError,
                        $"process {pid} ({name}) has its diagnostics disabled ({variable}=0): restart it without {variable} to record it.");
                }
            }
        }

        bool? dotnet = LoadsCoreClr(pid);
        string why = dotnet == true
            ? "its runtime opened no diagnostic port (is DOTNET_EnableDiagnostics=0 set, or TMPDIR different from statprof's?)"
            : "it is not a .NET process (no dotnet-diagnostic socket, no CoreCLR loaded)";
        throw new RecordFailure(RecordFailure.TargetError, $"cannot attach to process {pid} ({name}): {why}.");
    }

    /// <summary>Maps a failure to connect to the diagnostic port to its one-line message.</summary>
    public static RecordFailure ConnectFailure(int pid, string name, Exception ex)
    {
        if (IsPermission(ex))
        {
            string socket = Sockets(pid).FirstOrDefault() ?? $"dotnet-diagnostic-{pid}-*-socket";
            return new RecordFailure(
                RecordFailure.TargetError,
                $"permission denied on the diagnostic socket {socket} of process {pid} ({name}): run statprof as the user that runs the process.");
        }

        if (!IsAlive(pid))
        {
            return new RecordFailure(RecordFailure.TargetError, $"process {pid} ({name}) exited while statprof connected to it.");
        }

        return new RecordFailure(
            RecordFailure.TargetError,
            $"cannot connect to the diagnostic port of process {pid} ({name}): {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
    }

    /// <summary>True while the process exists (and is not a zombie on Linux).</summary>
    /// <remarks>Also true for a target that is dying: see <see cref="DiesWithin"/>.</remarks>
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
                int close = stat.LastIndexOf(')');
                if (close > 0 && close + 2 < stat.Length)
                {
                    return stat[close + 2] is not ('Z' or 'X'); // a zombie has exited, it only waits to be reaped
                }
            }
            catch (IOException)
            {
                return false; // no /proc/PID: gone
            }
            catch (UnauthorizedAccessException)
            {
                // No access: ask the Process class below.
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>True when the process is gone within <paramref name="grace"/> (its stream broke because it was dying).</summary>
    public static bool DiesWithin(int pid, TimeSpan grace)
    {
        var clock = Stopwatch.StartNew();
        while (IsAlive(pid))
        {
            if (clock.Elapsed > grace)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }

    private static bool IsPermission(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is UnauthorizedAccessException
                || (ex is SocketException socket && socket.SocketErrorCode == SocketError.AccessDenied)
                || ex.Message.Contains("ermission denied", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, string>? EnvironmentOf(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/environ");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string entry in text.Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = entry.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    result[entry[..equals]] = entry[(equals + 1)..];
                }
            }

            return result;
        }
        catch (Exception)
        {
            return null; // another user's process, or not Linux: nothing to tell
        }
    }

    private static bool? LoadsCoreClr(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/maps"))
            {
                if (line.Contains("libcoreclr", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception)
        {
            return null;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using StatProf.Analysis;

namespace StatProf.Cli.Tests.Record;

/// <summary>Starts the test targets and statprof itself as real child processes, and reads record files.</summary>
internal static class Targets
{
    /// <summary>tests/StatProf.Cli.Tests/bin/&lt;Configuration&gt;/net10.0/ → the same under another project.</summary>
    private static string OutputOf(params string[] project)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = here.Parent!.Name;
        string root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine([root, .. project, "bin", configuration, here.Name]);
    }

    /// <summary>tests/Targets/BusyTarget's assembly.</summary>
    public static string BusyTargetDll => Path.Combine(OutputOf("tests", "Targets", "BusyTarget"), "BusyTarget.dll");

    /// <summary>The statprof assembly (the CLI's own output).</summary>
    public static string StatprofDll => Path.Combine(OutputOf("Cli"), "statprof.dll");

    /// <summary>The <c>dotnet</c> host running these tests.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// Starts BusyTarget (spinning <paramref name="seconds"/>) and waits for its "ready" line, so that
    /// its busy and blocked threads are under way.
    /// </summary>
    public static Process StartBusyTarget(double seconds, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(BusyTargetDll);
        start.ArgumentList.Add(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        string? line = process.StandardOutput.ReadLine();
        Assert.StartsWith("ready ", line);
        return process;
    }

    /// <summary>Runs a program to its end; returns its exit code, stdout and stderr.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, Action<Process>? whileRunning = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        whileRunning?.Invoke(process);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(90)), $"{program} did not end within 90 s");
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Ends a target the test started, if it still runs.</summary>
    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Not started or gone.
        }
    }

    /// <summary>The request (thread) of <paramref name="set"/> whose name ends with <paramref name="threadName"/>.</summary>
    public static Request Thread(RecordSet set, string threadName) =>
        Assert.Single(set.Requests, r => r.Name.EndsWith(" " + threadName, StringComparison.Ordinal));

    /// <summary>
    /// The share of <paramref name="request"/>'s samples with <paramref name="frame"/> on the stack,
    /// and the request's leading leaves (name and self share) to say where the rest went.
    /// </summary>
    public static (double Share, string Leaves) TotalShare(RecordSet set, Request request, string frame)
    {
        Profile profile = Analyzer.Analyze(set, new AnalysisOptions { RequestId = request.Id });
        FrameStat? stat = profile.Frames.FirstOrDefault(f => f.Name.StartsWith(frame, StringComparison.Ordinal));
        string leaves = string.Join(", ", profile.Frames.Where(f => f.Self > 0).OrderByDescending(f => f.Self).Take(6)
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Name} {(double)f.Self / profile.Samples:P0}")));
        return (stat is null ? 0 : (double)stat.Total / profile.Samples, leaves);
    }

    /// <summary>The JSON lines of a record file.</summary>
    public static string[] Lines(string path) => File.ReadAllLines(path);
}

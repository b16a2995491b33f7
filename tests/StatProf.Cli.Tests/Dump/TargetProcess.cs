using System.Diagnostics;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// A target program of tests/Targets started as a child process; waits for its first output line
/// (its "ready" signal) and kills it on dispose.
/// </summary>
internal sealed class TargetProcess : IDisposable
{
    private readonly Process _process;

    private TargetProcess(Process process, string firstLine)
    {
        _process = process;
        FirstLine = firstLine;
    }

    /// <summary>The target's process id.</summary>
    public int Id => _process.Id;

    /// <summary>The first line the target printed.</summary>
    public string FirstLine { get; }

    /// <summary>The process object (to kill it or wait for it).</summary>
    public Process Process => _process;

    /// <summary>Starts tests/Targets/NAME (built next to the tests) and waits for its first line.</summary>
    public static TargetProcess Start(string name, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(TargetPath(name));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        Task<string?> line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{name} did not start");
        }

        return new TargetProcess(process, line.Result);
    }

    /// <summary>tests/StatProf.Cli.Tests/bin/CONFIG/net10.0/ → tests/Targets/NAME/bin/CONFIG/net10.0/NAME.dll.</summary>
    public static string TargetPath(string name)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = here.Parent!.Name;
        string tests = here.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(tests, "Targets", name, "bin", configuration, here.Name, name + ".dll");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }
}

using System.Diagnostics;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// A target program of tests/Targets started as a grandchild (through sh), waits for its first
/// output line (its "ready" signal) and kills it on dispose. Not a direct child: the test process
/// dumps it in-process, and a parent that is also the ptrace tracer has its runtime's SIGCHLD
/// handler reap the stop notifications ClrMD waits for (the attach then hangs).
/// </summary>
internal sealed class TargetProcess : IDisposable
{
    private readonly Process _shell;
    private readonly Process _process;

    private TargetProcess(Process shell, Process process, string firstLine)
    {
        _shell = shell;
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
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("dotnet \"$@\" & echo $!; wait");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(TargetPath(name));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var shell = Process.Start(start)!;
        shell.ErrorDataReceived += (_, _) => { };
        shell.BeginErrorReadLine();
        int pid = int.Parse(shell.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.GetProcessById(pid);
        Task<string?> line = shell.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null)
        {
            process.Kill();
            shell.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{name} did not start");
        }

        return new TargetProcess(shell, process, line.Result);
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
                _process.Kill();
            }

            _shell.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
        _shell.Dispose();
    }
}

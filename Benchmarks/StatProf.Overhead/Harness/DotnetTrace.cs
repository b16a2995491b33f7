using System.Diagnostics;

namespace StatProf.Overhead.Harness;

/// <summary>
/// The peer: <c>dotnet-trace collect -p PID -o FILE</c> with its default profiles (for dotnet-trace
/// 10: <c>dotnet-common</c> + <c>dotnet-sampled-thread-time</c>, i.e. the runtime's thread sampler at
/// the process's tick plus lightweight runtime events), attached to a running child.
/// </summary>
internal sealed class DotnetTrace : IDisposable
{
    private readonly Process _process;

    private DotnetTrace(Process process, string output)
    {
        _process = process;
        Output = output;
    }

    /// <summary>The dotnet-trace process's id.</summary>
    public int Id => _process.Id;

    /// <summary>The .nettrace file it writes.</summary>
    public string Output { get; }

    /// <summary>The command line, as the results show it.</summary>
    public static string CommandLine => "dotnet-trace collect -p PID -o FILE.nettrace";

    /// <summary>
    /// Finds dotnet-trace: <paramref name="explicitPath"/>, else <c>.tools/dotnet-trace</c> of the
    /// repository (where scripts/install-test-deps.sh puts it), else <c>~/.dotnet/tools</c>, else
    /// installs it with <c>dotnet tool install --tool-path .tools dotnet-trace</c>.
    /// </summary>
    public static string Locate(string? explicitPath, TextWriter log)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath) ? explicitPath : throw new HarnessException($"dotnet-trace not found at '{explicitPath}'");
        }

        string toolPath = Path.Combine(RepositoryRoot() ?? AppContext.BaseDirectory, ".tools");
        string[] candidates =
        [
            Path.Combine(toolPath, "dotnet-trace"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace"),
        ];
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        log.WriteLine($"installing dotnet-trace into {toolPath}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["tool", "install", "--tool-path", toolPath, "dotnet-trace"])
        {
            info.ArgumentList.Add(arg);
        }

        using Process install = Process.Start(info) ?? throw new HarnessException("dotnet tool install did not start");
        string error = install.StandardError.ReadToEnd();
        install.StandardOutput.ReadToEnd();
        install.WaitForExit();
        return File.Exists(candidates[0]) ? candidates[0] : throw new HarnessException($"cannot install dotnet-trace: {error.Trim()}");
    }

    /// <summary>Attaches to <paramref name="pid"/> and waits until the trace file has data (the session runs).</summary>
    public static DotnetTrace Attach(string tool, int pid, string output, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new HarnessException("dotnet-trace did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var trace = new DotnetTrace(process, output);
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(output) && new FileInfo(output).Length > 0))
        {
            if (process.HasExited || clock.Elapsed > timeout)
            {
                trace.Dispose();
                throw new HarnessException($"dotnet-trace did not start tracing process {pid} within {timeout.TotalSeconds:0} s");
            }

            Thread.Sleep(20);
        }

        return trace;
    }

    /// <summary>Waits for dotnet-trace to finish after its target exited; returns the trace's size in bytes.</summary>
    public long WaitForEnd(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        return File.Exists(Output) ? new FileInfo(Output).Length : 0;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }

    /// <summary>The folder holding StatProf.sln above the harness, if any.</summary>
    public static string? RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StatProf.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

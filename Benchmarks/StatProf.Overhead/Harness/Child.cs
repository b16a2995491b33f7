using System.Diagnostics;
using StatProf.Overhead.Workloads;

namespace StatProf.Overhead.Harness;

/// <summary>
/// One child workload process: this harness's own binary with a workload command, the tick
/// variable set or removed for its configuration, stdin/stdout kept to talk the
/// <see cref="ChildProtocol"/>. Disposing kills it if it still runs.
/// </summary>
internal sealed class Child : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = [];

    private Child(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    /// <summary>Starts <c>dotnet HARNESS.dll ARGS</c> for <paramref name="profiler"/>, with <paramref name="environment"/> added.</summary>
    public static Child Start(Profiler profiler, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        string self = typeof(Child).Assembly.Location;
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!Path.GetFileNameWithoutExtension(info.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Run through the apphost's sibling dll with the same dotnet host.
            info.FileName = "dotnet";
        }

        info.ArgumentList.Add(self);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove(ProfilerExtensions.TickVariable);
        if (profiler.TickSetting() is { } tick)
        {
            info.Environment[ProfilerExtensions.TickVariable] = tick;
        }

        // Children run as a service would: tiered compilation as is, no debugger knobs inherited.
        info.Environment.Remove("DOTNET_TieredCompilation");
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the child process did not start");
        var child = new Child(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._stderr)
                {
                    child._stderr.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the line that starts with <paramref name="prefix"/> and returns what follows it.</summary>
    /// <exception cref="HarnessException">The child exited or did not answer in time.</exception>
    public string WaitFor(string prefix, TimeSpan timeout)
    {
        Task<string?> read;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            read = _process.StandardOutput.ReadLineAsync();
            TimeSpan left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || !read.Wait(left))
            {
                throw new HarnessException($"child {Id} did not print '{prefix.Trim()}' within {timeout.TotalSeconds:0} s{StderrTail()}");
            }

            string? line = read.Result;
            if (line is null)
            {
                _process.WaitForExit(5000);
                throw new HarnessException($"child {Id} exited (code {(_process.HasExited ? _process.ExitCode : -1)}) before '{prefix.Trim()}'{StderrTail()}");
            }

            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the child to exit; kills it after <paramref name="timeout"/>.</summary>
    public void WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
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

    private string StderrTail()
    {
        lock (_stderr)
        {
            return _stderr.Count == 0 ? "" : ": " + string.Join(" | ", _stderr.TakeLast(3));
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using StatProf.Cli.Commands;

namespace StatProf.Cli.Tests.Record;

/// <summary>
/// Every error users hit with <c>record</c> and <c>attach</c>: one line on stderr naming the
/// problem, and its exit code (2 usage, 3 output file, 4 target process).
/// </summary>
public sealed class ErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-record-errors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AttachToNoSuchProcess()
    {
        using Process gone = Process.Start("true")!;
        gone.WaitForExit();

        var (exit, stderr) = Attach(new AttachSettings { ProcessId = gone.Id, Output = Output() });

        Assert.Equal(4, exit);
        Assert.Equal($"statprof attach: no process with id {gone.Id}.", OneLine(stderr));
    }

    [Fact]
    public void ASocketADeadRuntimeLeftIsNotTakenForTheProcessThatReusedItsId()
    {
        // A runtime killed with SIGKILL leaves dotnet-diagnostic-PID-START-socket behind; the next
        // process with that id, .NET or not, must not be taken for it, and neither must a process
        // that exited already (statprof record of a program that ends at once raced on this).
        using Process sleep = Process.Start("sleep", ["60"])!;
        using Process gone = Process.Start("true")!;
        gone.WaitForExit();
        string[] stale = [.. new[] { sleep.Id, gone.Id }.Select(pid => Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-1-socket"))];
        try
        {
            foreach (string path in stale)
            {
                File.WriteAllText(path, string.Empty);
            }

            Assert.Empty(StatProf.Cli.Record.TargetProcess.Sockets(gone.Id));
            var (exit, stderr) = Attach(new AttachSettings { ProcessId = sleep.Id, Output = Output() });
            Assert.Equal(4, exit);
            Assert.Equal($"statprof attach: cannot attach to process {sleep.Id} (sleep): it is not a .NET process (no dotnet-diagnostic socket, no CoreCLR loaded).", OneLine(stderr));
        }
        finally
        {
            sleep.Kill();
            foreach (string path in stale)
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public void AttachToAProcessThatIsNotDotnet()
    {
        using Process sleep = Process.Start("sleep", ["60"])!;
        try
        {
            var (exit, stderr) = Attach(new AttachSettings { ProcessId = sleep.Id, Output = Output() });

            Assert.Equal(4, exit);
            Assert.Equal($"statprof attach: cannot attach to process {sleep.Id} (sleep): it is not a .NET process (no dotnet-diagnostic socket, no CoreCLR loaded).", OneLine(stderr));
        }
        finally
        {
            Targets.Stop(sleep);
        }
    }

    /// <summary>
    /// A runtime killed with SIGKILL leaves its socket behind; a later process that gets the same
    /// pid must not be taken for a .NET program listening on it (CI once connected to such a socket).
    /// </summary>
    [Fact]
    public void AttachIgnoresTheSocketLeftByADeadRuntimeWithTheSamePid()
    {
        using Process sleep = Process.Start("sleep", ["60"])!;
        string stale = Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{sleep.Id}-1-socket");
        File.WriteAllText(stale, "");
        try
        {
            var (exit, stderr) = Attach(new AttachSettings { ProcessId = sleep.Id, Output = Output() });

            Assert.Equal(4, exit);
            Assert.Equal($"statprof attach: cannot attach to process {sleep.Id} (sleep): it is not a .NET process (no dotnet-diagnostic socket, no CoreCLR loaded).", OneLine(stderr));
        }
        finally
        {
            File.Delete(stale);
            Targets.Stop(sleep);
        }
    }

    [Fact]
    public void AttachToAProcessWithDiagnosticsDisabled()
    {
        using Process target = Targets.StartBusyTarget(60, new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" });
        try
        {
            string output = Output();
            var (exit, stderr) = Attach(new AttachSettings { ProcessId = target.Id, Output = output });

            Assert.Equal(4, exit);
            Assert.Equal(
                $"statprof attach: process {target.Id} (dotnet) has its diagnostics disabled (DOTNET_EnableDiagnostics=0): restart it without DOTNET_EnableDiagnostics to record it.",
                OneLine(stderr));
            Assert.False(File.Exists(output));
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    /// <summary>
    /// Root passes any file permission, so as root statprof runs as <c>nobody</c> (setpriv) against
    /// a target of root's, whose socket is 0600; as another user the socket is made 0000.
    /// </summary>
    [Fact]
    public void AttachWithoutPermissionOnTheDiagnosticSocket()
    {
        using Process target = Targets.StartBusyTarget(60);
        try
        {
            // Its own socket: a dead runtime that had the same pid may have left one behind (TargetProcess.Sockets matches the start time).
            string socket = Assert.Single(StatProf.Cli.Record.TargetProcess.Sockets(target.Id));
            string output = Path.Combine(Path.GetTempPath(), $"statprof-denied-{Guid.NewGuid():N}.jsonl");
            int exit;
            string stderr;
            if (Environment.UserName == "root")
            {
                // A copy of statprof that nobody can read, whatever the checkout's permissions.
                string copy = CopyForEveryone(Path.GetDirectoryName(Targets.StatprofDll)!);
                try
                {
                    (exit, _, stderr) = Targets.Run(
                        "setpriv",
                        ["--reuid=65534", "--regid=65534", "--clear-groups", Targets.Dotnet, Path.Combine(copy, "statprof.dll"), "attach", "-p", target.Id.ToString(CultureInfo.InvariantCulture), "-o", output],
                        new Dictionary<string, string> { ["HOME"] = Path.GetTempPath(), ["DOTNET_CLI_HOME"] = Path.GetTempPath() });
                }
                finally
                {
                    Directory.Delete(copy, recursive: true);
                }
            }
            else
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(socket, UnixFileMode.None);
                }

                (exit, stderr) = Attach(new AttachSettings { ProcessId = target.Id, Output = output });
            }

            Assert.Equal(4, exit);
            Assert.Equal(
                $"statprof attach: permission denied on the diagnostic socket {socket} of process {target.Id} (dotnet): run statprof as the user that runs the process.",
                OneLine(stderr));
            Assert.False(File.Exists(output)); // nothing recorded, no file left behind
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    [Fact]
    public void AttachToAnUnwritableOutput()
    {
        using Process target = Targets.StartBusyTarget(60);
        try
        {
            string output = Path.Combine(_directory, "missing", "out.jsonl");
            var (exit, stderr) = Attach(new AttachSettings { ProcessId = target.Id, Output = output });

            Assert.Equal(3, exit);
            Assert.StartsWith($"statprof attach: cannot write {output}: Could not find a part of the path", OneLine(stderr));
        }
        finally
        {
            Targets.Stop(target);
        }
    }

    [Fact]
    public void AttachWithoutAProcess()
    {
        var (exit, stderr) = Attach(new AttachSettings { Output = Output() });

        Assert.Equal(2, exit);
        Assert.Equal("statprof attach: give the process to record with -p PID.", OneLine(stderr));
    }

    [Fact]
    public void RecordToAnUnwritableOutputStartsNothing()
    {
        string output = Path.Combine(_directory, "missing", "out.jsonl");
        string marker = Path.Combine(_directory, "started");
        var (exit, stderr) = Record(new RecordSettings { Command = ["touch", marker], Output = output });

        Assert.Equal(3, exit);
        Assert.StartsWith($"statprof record: cannot write {output}: Could not find a part of the path", OneLine(stderr));
        Assert.False(File.Exists(marker));
    }

    /// <summary>A link planted at the output path (say, to a file of root's) is refused, not written through.</summary>
    [Fact]
    public void RecordRefusesAnOutputThatIsASymbolicLink()
    {
        string victim = Path.Combine(_directory, "victim.txt");
        File.WriteAllText(victim, "keep me");
        string output = Path.Combine(_directory, "out.jsonl");
        File.CreateSymbolicLink(output, victim);
        string marker = Path.Combine(_directory, "started");

        var (exit, stderr) = Record(new RecordSettings { Command = ["touch", marker], Output = output });

        Assert.Equal(3, exit);
        Assert.Equal($"statprof record: cannot write {output}: it is a symbolic link (to {victim}); statprof does not write through links: give the real path.", OneLine(stderr));
        Assert.Equal("keep me", File.ReadAllText(victim));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void RecordAProgramThatExitsWithoutADotnetRuntime()
    {
        var (exit, stderr) = Record(new RecordSettings { Command = ["true"], Output = Output() });

        Assert.Equal(4, exit);
        Assert.Equal("statprof record: true exited (code 0) before a .NET runtime opened its diagnostic port: is it a .NET program?", OneLine(stderr));
    }

    [Fact]
    public void RecordAProgramThatRunsWithoutADotnetRuntimeStopsIt()
    {
        var clock = Stopwatch.StartNew();
        var (exit, stderr) = Record(new RecordSettings { Command = ["sleep", "60"], Output = Output(), PortTimeout = TimeSpan.FromSeconds(2) });

        Assert.Equal(4, exit);
        Assert.Matches(@"^statprof record: sleep \(pid \d+\) is not a \.NET program: no diagnostic port within 2 s; statprof stopped it\.$", OneLine(stderr));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void RecordAMissingProgram()
    {
        var (exit, stderr) = Record(new RecordSettings { Command = ["/no/such/program"], Output = Output() });

        Assert.Equal(4, exit);
        Assert.StartsWith("statprof record: cannot start /no/such/program: ", OneLine(stderr));
    }

    [Fact]
    public void RecordWithDiagnosticsDisabled()
    {
        // In a child statprof: the variable is read from statprof's own environment.
        var (exit, _, stderr) = Targets.Run(
            Targets.Dotnet,
            [Targets.StatprofDll, "record", "-o", Output(), "--", Targets.Dotnet, Targets.BusyTargetDll, "1"],
            new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" });

        Assert.Equal(4, exit);
        Assert.Equal("statprof record: diagnostics are disabled (DOTNET_EnableDiagnostics=0 in this environment, which the program would inherit): unset it to record.", OneLine(stderr));
    }

    [Fact]
    public void RecordWithoutAProgramOrWithABadInterval()
    {
        var (exit, stderr) = Record(new RecordSettings { Output = Output() });
        Assert.Equal(2, exit);
        Assert.Equal("statprof record: no program given: statprof record [options] -- COMMAND [ARGS].", OneLine(stderr));

        (exit, stderr) = Record(new RecordSettings { Command = ["true"], Output = Output(), IntervalMs = 1000 });
        Assert.Equal(2, exit);
        Assert.StartsWith("statprof record: --interval must be between 1 and 999 ms", OneLine(stderr));
    }

    [Fact]
    public async Task RecordWhenTheTargetIsKilledKeepsAValidFileThatSaysItEnded()
    {
        string output = Output();
        using var stderr = new StringWriter();
        int exit = 0;
        var recording = Task.Run(() => exit = RecordCommand.Run(
            new RecordSettings { Command = [Targets.Dotnet, Targets.BusyTargetDll, "60"], Output = output },
            TextWriter.Null,
            stderr,
            CancellationToken.None));

        // Once it records, kill the target the way an OOM killer would.
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(output) && File.ReadLines(output).Count() > 20) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        int pid = int.Parse(System.Text.Json.JsonDocument.Parse(File.ReadLines(output).First()).RootElement.GetProperty("process").GetProperty("pid").GetRawText(), CultureInfo.InvariantCulture);
        using (Process target = Process.GetProcessById(pid))
        {
            target.Kill();
        }

        await recording.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(137, exit); // the program's own status: killed by SIGKILL
        Assert.StartsWith("statprof: target exited; ", stderr.ToString());
        string[] lines = File.ReadAllLines(output);
        Assert.Contains("\"type\":\"stats\"", lines[^1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"end\"", StringComparison.Ordinal) && l.Contains("\"name\":\"thread " + pid.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal) && l.Contains("\"outcome\":\"ok\"", StringComparison.Ordinal));
        Assert.NotEmpty(Analysis.RecordReader.ReadFiles([output]).Requests);
    }

    /// <summary>Copies a directory's files to a new world-readable directory under the temporary one.</summary>
    private static string CopyForEveryone(string directory)
    {
        string copy = Path.Combine(Path.GetTempPath(), "statprof-nobody-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        }

        foreach (string file in Directory.GetFiles(directory))
        {
            string target = Path.Combine(copy, Path.GetFileName(file));
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, (UnixFileMode)0b110_100_100);
            }
        }

        return copy;
    }

    private static (int Exit, string Stderr) Attach(AttachSettings settings)
    {
        using var stderr = new StringWriter();
        int exit = AttachCommand.Run(settings, TextWriter.Null, stderr, CancellationToken.None);
        return (exit, stderr.ToString());
    }

    private static (int Exit, string Stderr) Record(RecordSettings settings)
    {
        using var stderr = new StringWriter();
        int exit = RecordCommand.Run(settings, TextWriter.Null, stderr, CancellationToken.None);
        return (exit, stderr.ToString());
    }

    /// <summary>The text of a one-line message, checked to be exactly one line.</summary>
    private static string OneLine(string stderr)
    {
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got: " + stderr);
        return lines[0].TrimEnd('\r');
    }

    private string Output() => Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".jsonl");
}

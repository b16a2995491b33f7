using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using StatProf.Cli.Record;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof record [-o FILE] [--interval MS] [--threshold MS] [--duration S] -- COMMAND [ARGS]</c>:
/// starts a .NET program with the runtime's sampler set to the interval and its runtime suspended
/// until statprof's EventPipe session exists (so the recording covers its first instruction), records
/// every managed thread into a format-2 record file, and exits with the program's exit code.
/// Exit codes of statprof itself: 2 usage, 3 output file, 4 target problem (docs/cli-record.md).
/// </summary>
internal static class RecordCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string?>("--output", "-o") { Description = "The record file to write (default: statprof-record-PID-TIME.jsonl here)." };
        var interval = new Option<int>("--interval") { Description = "Milliseconds between samples and dumps, 1 to 999 (sets DOTNET_EventPipeThreadSamplingRate).", DefaultValueFactory = _ => 10 };
        var threshold = new Option<double>("--threshold") { Description = "Dump a thread only once it has been sampled this many milliseconds (default 0: from its first sample)." };
        var duration = new Option<double?>("--duration") { Description = "Stop recording after this many seconds (the program keeps running)." };
        var command = new Argument<string[]>("command") { Description = "The program and its arguments, after --.", Arity = ArgumentArity.ZeroOrMore };
        var verb = new Command("record", "Start a .NET program and record the stacks of all its threads into a record file.")
        {
            output, interval, threshold, duration, command,
        };
        verb.SetAction(parse => Run(
            new RecordSettings
            {
                Command = parse.GetValue(command) ?? [],
                Output = parse.GetValue(output),
                IntervalMs = parse.GetValue(interval),
                ThresholdMs = parse.GetValue(threshold),
                DurationSeconds = parse.GetValue(duration),
            },
            stdout,
            stderr,
            CancelOnCtrlC()));
        return verb;
    }

    /// <summary>Runs the verb; returns the program's exit code, or statprof's own on a failure.</summary>
    public static int Run(RecordSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return Record(settings, stderr, cancel);
        }
        catch (RecordFailure failure)
        {
            stderr.WriteLine($"statprof record: {failure.Message.ReplaceLineEndings(" ").Trim()}");
            return failure.ExitCode;
        }
    }

    /// <summary>A token cancelled by Ctrl-C (SIGINT), which then no longer kills statprof.</summary>
    internal static CancellationToken CancelOnCtrlC()
    {
        var source = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            source.Cancel();
        };
        return source.Token;
    }

    private static int Record(RecordSettings settings, TextWriter stderr, CancellationToken cancel)
    {
        if (settings.Command.Count == 0)
        {
            throw new RecordFailure(RecordFailure.UsageError, "no program given: statprof record [options] -- COMMAND [ARGS].");
        }

        if (settings.IntervalMs is < 1 or > 999)
        {
            throw new RecordFailure(RecordFailure.UsageError, "--interval must be between 1 and 999 ms (the runtime's sampler cannot tick slower than 1 s; docs/sampling.md).");
        }

        if (settings.ThresholdMs < 0 || !double.IsFinite(settings.ThresholdMs))
        {
            throw new RecordFailure(RecordFailure.UsageError, "--threshold must be 0 or more milliseconds.");
        }

        if (settings.DurationSeconds is { } seconds && (seconds <= 0 || !double.IsFinite(seconds) || seconds > int.MaxValue / 1000.0))
        {
            throw new RecordFailure(RecordFailure.UsageError, "--duration must be a positive number of seconds.");
        }

        foreach (string variable in (string[])["DOTNET_EnableDiagnostics", "COMPlus_EnableDiagnostics", "DOTNET_EnableDiagnostics_IPC", "COMPlus_EnableDiagnostics_IPC"])
        {
            if (Environment.GetEnvironmentVariable(variable)?.Trim() == "0")
            {
                throw new RecordFailure(
                    RecordFailure.TargetError,
                    $"diagnostics are disabled ({variable}=0 in this environment, which the program would inherit): unset it to record.");
            }
        }

        int pid = 0;
        string path = settings.Output ?? Recording.DefaultOutput("record", Environment.ProcessId);
        using ThreadRecordFile file = Recording.OpenOutput(path, settings.IntervalMs, settings.ThresholdMs, tid => EventPipeRecorder.ThreadName(pid, tid));
        using Process process = StartSuspended(settings);
        pid = process.Id;
        string name = settings.Command[0];
        DiagnosticsClient client = WaitForPort(process, name, settings.PortTimeout);
        file.Begin(Recording.Header(client, pid, Path.GetFileNameWithoutExtension(name), settings.ThresholdMs, settings.IntervalMs));
        TimeSpan? duration = settings.DurationSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
        bool exited;
        try
        {
            exited = Recording.Run(client, pid, name, file, () => Resume(client, process, name), duration, cancel);
        }
        catch (RecordFailure)
        {
            KillIfSuspended(process);
            throw;
        }

        stderr.WriteLine(Recording.Summary(file, pid, name, exited));

        // The program keeps its own life: statprof returns its exit code once it ends.
        process.WaitForExit();
        return process.ExitCode;
    }

    private static Process StartSuspended(RecordSettings settings)
    {
        var start = new ProcessStartInfo(settings.Command[0]) { UseShellExecute = false };
        foreach (string argument in settings.Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // Read once, at start, by the runtime: hexadecimal milliseconds (docs/sampling.md).
        start.Environment["DOTNET_EventPipeThreadSamplingRate"] = settings.IntervalMs.ToString("X", CultureInfo.InvariantCulture);

        // The runtime waits on its default diagnostic port for a ResumeRuntime command before it
        // runs managed code: the session is open before the program's first instruction.
        start.Environment["DOTNET_DefaultDiagnosticPortSuspend"] = "1";
        try
        {
            return Process.Start(start) ?? throw new RecordFailure(RecordFailure.TargetError, $"cannot start {settings.Command[0]}.");
        }
        catch (Win32Exception ex)
        {
            throw new RecordFailure(RecordFailure.TargetError, $"cannot start {settings.Command[0]}: {ex.Message}.");
        }
    }

    private static DiagnosticsClient WaitForPort(Process process, string name, TimeSpan portTimeout)
    {
        var clock = Stopwatch.StartNew();
        while (TargetProcess.Sockets(process.Id).Length == 0)
        {
            if (process.WaitForExit(20))
            {
                throw new RecordFailure(
                    RecordFailure.TargetError,
                    $"{name} exited (code {process.ExitCode}) before a .NET runtime opened its diagnostic port: is it a .NET program?");
            }

            if (clock.Elapsed > portTimeout)
            {
                process.Kill(entireProcessTree: true);
                throw new RecordFailure(
                    RecordFailure.TargetError,
                    $"{name} (pid {process.Id}) is not a .NET program: no diagnostic port within {portTimeout.TotalSeconds:0} s; statprof stopped it.");
            }
        }

        return new DiagnosticsClient(process.Id);
    }

    private static void Resume(DiagnosticsClient client, Process process, string name)
    {
        try
        {
            client.ResumeRuntime();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            throw TargetProcess.ConnectFailure(process.Id, name, ex);
        }
    }

    private static void KillIfSuspended(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception)
        {
            // Gone already.
        }
    }
}

/// <summary>The options of <c>statprof record</c>.</summary>
internal sealed class RecordSettings
{
    /// <summary>The program and its arguments.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>The record file (null: a default name in the current directory).</summary>
    public string? Output { get; init; }

    /// <summary>Milliseconds between ticks and between a thread's dumps.</summary>
    public int IntervalMs { get; init; } = 10;

    /// <summary>A thread is dumped once it has been sampled this long.</summary>
    public double ThresholdMs { get; init; }

    /// <summary>Stop recording after this many seconds.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>How long the program may take to open its diagnostic port before it is taken as not .NET.</summary>
    public TimeSpan PortTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

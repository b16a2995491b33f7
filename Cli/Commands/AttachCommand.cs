using System.CommandLine;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using StatProf.Cli.Record;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof attach -p PID [-o FILE] [--interval MS] [--threshold MS] [--duration S]</c>: records
/// every managed thread of a running .NET process over its diagnostic port (EventPipe from outside)
/// until it exits, the duration passes or Ctrl-C, into a format-2 record file. Exit codes: 0 done,
/// 2 usage, 3 output file, 4 target problem (docs/cli-record.md).
/// </summary>
internal static class AttachCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pid = new Option<int?>("--process-id", "-p") { Description = "The process to record." };
        var output = new Option<string?>("--output", "-o") { Description = "The record file to write (default: statprof-attach-PID-TIME.jsonl here)." };
        var interval = new Option<int>("--interval") { Description = "Milliseconds between a thread's dumps (the tick itself is the target's, set by DOTNET_EventPipeThreadSamplingRate when it started; 1 ms by default).", DefaultValueFactory = _ => 10 };
        var threshold = new Option<double>("--threshold") { Description = "Dump a thread only once it has been sampled this many milliseconds (default 0)." };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: until the process exits or Ctrl-C)." };
        var verb = new Command("attach", "Record the stacks of all threads of a running .NET process into a record file.")
        {
            pid, output, interval, threshold, duration,
        };
        verb.SetAction(parse => Run(
            new AttachSettings
            {
                ProcessId = parse.GetValue(pid),
                Output = parse.GetValue(output),
                IntervalMs = parse.GetValue(interval),
                ThresholdMs = parse.GetValue(threshold),
                DurationSeconds = parse.GetValue(duration),
            },
            stdout,
            stderr,
            RecordCommand.CancelOnCtrlC()));
        return verb;
    }

    /// <summary>Runs the verb; returns the exit code.</summary>
    public static int Run(AttachSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return Attach(settings, stderr, cancel);
        }
        catch (RecordFailure failure)
        {
            stderr.WriteLine($"statprof attach: {failure.Message.ReplaceLineEndings(" ").Trim()}");
            return failure.ExitCode;
        }
    }

    private static int Attach(AttachSettings settings, TextWriter stderr, CancellationToken cancel)
    {
        if (settings.ProcessId is not { } pid || pid <= 0)
        {
            throw new RecordFailure(RecordFailure.UsageError, "give the process to record with -p PID.");
        }

        if (settings.IntervalMs < 1)
        {
            throw new RecordFailure(RecordFailure.UsageError, "--interval must be at least 1 ms.");
        }

        if (settings.ThresholdMs < 0 || !double.IsFinite(settings.ThresholdMs))
        {
            throw new RecordFailure(RecordFailure.UsageError, "--threshold must be 0 or more milliseconds.");
        }

        if (settings.DurationSeconds is { } seconds && (seconds <= 0 || !double.IsFinite(seconds) || seconds > int.MaxValue / 1000.0))
        {
            throw new RecordFailure(RecordFailure.UsageError, "--duration must be a positive number of seconds.");
        }

        string name = TargetProcess.NameOf(pid);
        TargetProcess.RequireSocket(pid, name);
        string path = settings.Output ?? Recording.DefaultOutput("attach", pid);
        using ThreadRecordFile file = Recording.OpenOutput(path, settings.IntervalMs, settings.ThresholdMs, tid => EventPipeRecorder.ThreadName(pid, tid));
        var client = new DiagnosticsClient(pid);
        file.Begin(Recording.Header(client, pid, name, settings.ThresholdMs, settings.IntervalMs));
        TimeSpan? duration = settings.DurationSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
        bool exited = Recording.Run(client, pid, name, file, onStarted: null, duration, cancel);
        stderr.WriteLine(Recording.Summary(file, pid, name, exited));
        return 0;
    }
}

/// <summary>The options of <c>statprof attach</c>.</summary>
internal sealed class AttachSettings
{
    /// <summary>The process to record.</summary>
    public int? ProcessId { get; init; }

    /// <summary>The record file (null: a default name in the current directory).</summary>
    public string? Output { get; init; }

    /// <summary>Milliseconds between a thread's dumps.</summary>
    public int IntervalMs { get; init; } = 10;

    /// <summary>A thread is dumped once it has been sampled this long.</summary>
    public double ThresholdMs { get; init; }

    /// <summary>Stop after this many seconds.</summary>
    public double? DurationSeconds { get; init; }
}

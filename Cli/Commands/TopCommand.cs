using System.CommandLine;
using StatProf.Cli.Top;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof top -p PID [--interval MS] [--threshold MS] [--refresh S] [--window S] [--idle]
/// [--no-interactive | --once | --iterations N]</c>: a live view of a running .NET process, like
/// py-spy top: its hottest frames and its threads over the last seconds, refreshed; plain-text
/// snapshots when stdout is not a terminal. Exit codes as <c>attach</c> (docs/cli-top.md).
/// </summary>
internal static class TopCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pid = new Option<int?>("--process-id", "-p") { Description = "The process to watch." };
        var interval = new Option<int>("--interval") { Description = "Keep one sample per thread every this many milliseconds (default 10).", DefaultValueFactory = _ => 10 };
        var threshold = new Option<double>("--threshold") { Description = "List only threads sampled for at least this many milliseconds (default 0: all)." };
        var refresh = new Option<double>("--refresh") { Description = "Seconds between refreshes (default 1).", DefaultValueFactory = _ => 1 };
        var window = new Option<double>("--window") { Description = "Seconds of samples the tables cover (default 10).", DefaultValueFactory = _ => 10 };
        var idle = new Option<bool>("--idle") { Description = "Count waiting samples in the frames table too (default: running samples only)." };
        var noInteractive = new Option<bool>("--no-interactive") { Description = "Print a plain-text snapshot every refresh instead of the live view (the default when stdout is not a terminal)." };
        var once = new Option<bool>("--once") { Description = "Print one plain-text snapshot after one refresh and exit." };
        var iterations = new Option<int?>("--iterations", "-n") { Description = "Print this many plain-text snapshots, one per refresh, and exit." };
        var verb = new Command("top", "Live view of a running .NET process: its hottest frames and threads, refreshed (q or Ctrl-C quits).")
        {
            pid, interval, threshold, refresh, window, idle, noInteractive, once, iterations,
        };
        verb.SetAction(parse => TopSession.Run(
            new TopSettings
            {
                ProcessId = parse.GetValue(pid),
                IntervalMs = parse.GetValue(interval),
                ThresholdMs = parse.GetValue(threshold),
                RefreshSeconds = parse.GetValue(refresh),
                WindowSeconds = parse.GetValue(window),
                Idle = parse.GetValue(idle),
                NoInteractive = parse.GetValue(noInteractive),
                Once = parse.GetValue(once),
                Iterations = parse.GetValue(iterations),
            },
            stdout,
            stderr,
            RecordCommand.CancelOnCtrlC()));
        return verb;
    }
}

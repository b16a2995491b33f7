using System.CommandLine;
using StatProf.Cli.Dump;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof dump -p PID [--format text|json]</c>: every managed thread's stack right now, with
/// its state, the HTTP request it serves and what it is blocked in (sync-over-async or a lock, with
/// the lock's owner), read with ClrMD while the target is paused; says how long the pause was.
/// Exit codes: 0 success; 2 a usage error; 4 a target process that cannot be dumped (no such
/// process, not .NET, permission denied, exited during the dump). Every error is one line on stderr.
/// </summary>
internal static class DumpCommand
{
    /// <summary>Exit code of a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a target process that cannot be dumped.</summary>
    public const int TargetError = 4;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pid = new Option<int?>("--process-id", "-p") { Description = "The process to dump (a .NET process of the same user, or any as root)." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "text or json (documented in docs/cli-dump.md).",
            DefaultValueFactory = _ => "text",
        };
        var command = new Command("dump", "Every thread's stack right now, with the HTTP request it serves and what it is blocked in.")
        {
            pid, format,
        };
        command.SetAction(parse => Run(
            new DumpSettings { ProcessId = parse.GetValue(pid), Format = parse.GetValue(format) ?? "text" },
            stdout,
            stderr));
        return command;
    }

    /// <summary>Runs the verb; <paramref name="stdout"/> receives the dump.</summary>
    public static int Run(DumpSettings settings, TextWriter stdout, TextWriter stderr)
    {
        if (settings.Format is not ("text" or "json"))
        {
            return Fail(stderr, UsageError, $"unknown --format '{settings.Format}'; use text or json.");
        }

        if (settings.ProcessId is not { } pid)
        {
            return Fail(stderr, UsageError, "no process given: use -p PID.");
        }

        if (pid <= 0)
        {
            return Fail(stderr, UsageError, $"-p {pid}: a process id is a positive number.");
        }

        ThreadDump dump;
        try
        {
            dump = ThreadDumper.Dump(pid, settings.WhilePaused);
        }
        catch (DumpTargetException ex)
        {
            return Fail(stderr, TargetError, ex.Message);
        }

        if (settings.Format == "json")
        {
            using var buffer = new MemoryStream();
            DumpWriter.WriteJson(dump, buffer);
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        else
        {
            DumpWriter.WriteText(dump, stdout);
        }

        stdout.Flush();
        return 0;
    }

    private static int Fail(TextWriter stderr, int code, string message)
    {
        stderr.WriteLine($"statprof dump: {message.ReplaceLineEndings(" ").Trim()}");
        return code;
    }
}

/// <summary>The arguments of <c>statprof dump</c>.</summary>
internal sealed record DumpSettings
{
    /// <summary>The target process id; <c>null</c> when not given.</summary>
    public int? ProcessId { get; init; }

    /// <summary><c>text</c> or <c>json</c>.</summary>
    public string Format { get; init; } = "text";

    /// <summary>Called with the target paused (tests end the target there to check the exit-during-dump error).</summary>
    public Action? WhilePaused { get; init; }
}

namespace StatProf.Cli.Record;

/// <summary>A failure of <c>record</c>/<c>attach</c> with its one-line message and exit code.</summary>
internal sealed class RecordFailure : Exception
{
    /// <summary>Exit code of a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of an output file that cannot be written.</summary>
    public const int FileError = 3;

    /// <summary>
    /// Exit code of a target process problem: no such process, not .NET, diagnostics disabled,
    /// permission denied on its socket, exited before statprof could connect, cannot be started.
    /// </summary>
    public const int TargetError = 4;

    public RecordFailure(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public RecordFailure()
    {
    }

    public RecordFailure(string message)
        : base(message)
    {
    }

    public RecordFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The process exit code for this failure.</summary>
    public int ExitCode { get; } = TargetError;
}

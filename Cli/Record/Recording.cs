using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using StatProf.Sampler.Records;

namespace StatProf.Cli.Record;

/// <summary>
/// The part <c>record</c> and <c>attach</c> share: open the output file, record the target over
/// its diagnostic port until it exits, the duration passes or the user stops, and close the file
/// with its last lines saying how the recording ended.
/// </summary>
internal static class Recording
{
    /// <summary>How long the runtime may take to flush and end the session when statprof stops it.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Opens the output file, or throws the one-line file error.</summary>
    /// <exception cref="RecordFailure">The path cannot be written (exit 3).</exception>
    public static ThreadRecordFile OpenOutput(string path, double intervalMs, double thresholdMs, Func<int, string> threadName)
    {
        try
        {
            return ThreadRecordFile.Create(path, intervalMs, thresholdMs, threadName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new RecordFailure(RecordFailure.FileError, $"cannot write {path}: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>The header of a recording of <paramref name="pid"/>, with its runtime's version (<see cref="TargetRuntime"/>).</summary>
    public static HeaderRecord Header(DiagnosticsClient client, int pid, string name, double thresholdMs, double intervalMs) =>
        new(DateTime.UtcNow, pid, name, TargetRuntime.Describe(client, pid), thresholdMs, intervalMs, Continuation: false);

    /// <summary>
    /// Records until the target exits (its event stream ends), <paramref name="duration"/> passes or
    /// <paramref name="cancel"/> is signalled (Ctrl-C). <paramref name="onStarted"/> runs once the
    /// session exists (record resumes the suspended runtime there).
    /// </summary>
    /// <returns>True when the target exited during the recording.</returns>
    /// <exception cref="RecordFailure">The session could not be opened, or the reader failed.</exception>
    public static bool Run(
        DiagnosticsClient client,
        int pid,
        string name,
        ThreadRecordFile file,
        Action? onStarted,
        TimeSpan? duration,
        CancellationToken cancel)
    {
        EventPipeRecorder started;
        try
        {
            started = EventPipeRecorder.Start(client, pid, name, file);
        }
        catch (RecordFailure)
        {
            file.Discard(); // nothing was recorded: no file holding only a header is left behind
            throw;
        }

        using EventPipeRecorder recorder = started;
        onStarted?.Invoke();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (duration is { } d)
        {
            limit.CancelAfter(d);
        }

        bool exited = recorder.WaitForEnd(limit.Token);
        if (!exited)
        {
            recorder.Stop(StopTimeout);
        }

        // The stream also ends when statprof stops the session: only a target that is gone ended it.
        bool targetGone = exited || TargetProcess.DiesWithin(pid, TimeSpan.Zero);
        file.Close(DateTime.UtcNow, targetGone, recorder.Ticks, recorder.EventsLost);
        if (recorder.Fault is { } fault)
        {
            throw new RecordFailure(
                RecordFailure.TargetError,
                $"the event stream of process {pid} ({name}) broke: {fault.GetType().Name}: {fault.Message.ReplaceLineEndings(" ")} ({file.Path} holds what was recorded).");
        }

        return targetGone;
    }

    /// <summary>The summary line statprof writes on stderr when it is done.</summary>
    public static string Summary(ThreadRecordFile file, int pid, string name, bool targetExited) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"statprof: {(targetExited ? "target exited" : "recording stopped")}; {file.Threads} threads, {file.Dumps} dumps of process {pid} ({name}) in {file.Path}");

    /// <summary>A default output name: <c>statprof-VERB-PID-yyyyMMdd-HHmmss.jsonl</c> in the current directory.</summary>
    public static string DefaultOutput(string verb, int pid) =>
        string.Create(CultureInfo.InvariantCulture, $"statprof-{verb}-{pid}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.jsonl");
}

using Microsoft.Diagnostics.NETCore.Client;
using Spectre.Console;
using StatProf.Cli.Record;

namespace StatProf.Cli.Top;

/// <summary>
/// Runs <c>statprof top</c>: one <see cref="EventPipeRecorder"/> session on the target feeding a
/// <see cref="TopWindow"/>, shown live on a terminal (Spectre.Console live display on the alternate
/// screen, keys <c>q</c>/<c>i</c>) or printed as plain-text snapshots. Ends on <c>q</c>, Ctrl-C,
/// the iterations asked for, or the target's exit (exit code 0 then, with a last line on stderr).
/// </summary>
internal static class TopSession
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long top waits for the first sample before it shows an empty window anyway.</summary>
    private static readonly TimeSpan FirstSampleTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Runs the verb; returns the exit code.</summary>
    public static int Run(TopSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return Top(settings, stdout, stderr, cancel);
        }
        catch (RecordFailure failure)
        {
            stderr.WriteLine($"statprof top: {failure.Message.ReplaceLineEndings(" ").Trim()}");
            return failure.ExitCode;
        }
    }

    private static void Validate(TopSettings settings)
    {
        if (settings.ProcessId is not { } pid || pid <= 0)
        {
            throw new RecordFailure(RecordFailure.UsageError, "give the process to watch with -p PID.");
        }

        if (settings.IntervalMs < 1)
        {
            throw new RecordFailure(RecordFailure.UsageError, "--interval must be at least 1 ms.");
        }

        if (settings.ThresholdMs < 0 || !double.IsFinite(settings.ThresholdMs))
        {
            throw new RecordFailure(RecordFailure.UsageError, "--threshold must be 0 or more milliseconds.");
        }

        if (settings.RefreshSeconds is < 0.1 or > 3600 || !double.IsFinite(settings.RefreshSeconds))
        {
            throw new RecordFailure(RecordFailure.UsageError, "--refresh must be between 0.1 and 3600 seconds.");
        }

        if (settings.WindowSeconds is < 0.5 or > 3600 || !double.IsFinite(settings.WindowSeconds))
        {
            throw new RecordFailure(RecordFailure.UsageError, "--window must be between 0.5 and 3600 seconds.");
        }

        if (settings.Iterations is < 1)
        {
            throw new RecordFailure(RecordFailure.UsageError, "--iterations must be at least 1.");
        }
    }

    private static int Top(TopSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        Validate(settings);
        int pid = settings.ProcessId!.Value;
        string name = TargetProcess.NameOf(pid);
        TargetProcess.RequireSocket(pid, name);
        var client = new DiagnosticsClient(pid);
        var header = new TopHeader(pid, name, TargetRuntime.Describe(client, pid), 0);
        var window = new TopWindow(TimeSpan.FromSeconds(settings.WindowSeconds), settings.IntervalMs, tid => EventPipeRecorder.ThreadName(pid, tid));
        using EventPipeRecorder recorder = EventPipeRecorder.Start(client, pid, name, window);
        bool live = !settings.NoInteractive && !settings.Once && settings.Iterations is null
            && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && !Console.IsInputRedirected;
        bool ended;
        try
        {
            ended = live
                ? RunLive(settings, recorder, window, header, cancel)
                : RunPlain(settings, recorder, window, header, stdout, cancel);
        }
        finally
        {
            if (!recorder.WaitForEnd(TimeSpan.Zero))
            {
                recorder.Stop(StopTimeout);
            }
        }

        bool targetGone = ended || TargetProcess.DiesWithin(pid, TimeSpan.Zero);
        if (recorder.Fault is { } fault && !targetGone)
        {
            throw new RecordFailure(
                RecordFailure.TargetError,
                $"the event stream of process {pid} ({name}) broke: {fault.GetType().Name}: {fault.Message.ReplaceLineEndings(" ")}");
        }

        if (targetGone)
        {
            stderr.WriteLine($"statprof top: process {pid} ({name}) exited.");
        }

        return 0;
    }

    /// <summary>Plain-text snapshots, one per refresh; returns true when the target exited.</summary>
    private static bool RunPlain(TopSettings settings, EventPipeRecorder recorder, TopWindow window, TopHeader header, TextWriter stdout, CancellationToken cancel)
    {
        int wanted = settings.Once ? 1 : settings.Iterations ?? int.MaxValue;
        if (WaitForFirstSample(recorder, window, cancel))
        {
            return true;
        }

        TimeSpan refresh = TimeSpan.FromSeconds(settings.RefreshSeconds);
        for (int printed = 0; printed < wanted && !cancel.IsCancellationRequested;)
        {
            bool ended = Wait(recorder, refresh, cancel);
            if (cancel.IsCancellationRequested && !ended)
            {
                break;
            }

            TopSnapshot snapshot = Filter(window.Snapshot(settings.Idle), settings);
            if (printed > 0)
            {
                stdout.WriteLine();
            }

            stdout.Write(TopView.PlainText(header with { Dropped = recorder.EventsLost }, snapshot, DateTime.UtcNow, settings.Idle, settings.FrameRows, settings.ThreadRows));
            stdout.Flush();
            printed++;
            if (ended)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The live view on the terminal; returns true when the target exited.</summary>
    private static bool RunLive(TopSettings settings, EventPipeRecorder recorder, TopWindow window, TopHeader header, CancellationToken cancel)
    {
        IAnsiConsole console = ConsoleFactory.Create(Console.Out);
        bool ended = false;
        bool idle = settings.Idle;
        TimeSpan refresh = TimeSpan.FromSeconds(settings.RefreshSeconds);
        void Show()
        {
            console.Live(TopView.Render(header, null, DateTime.UtcNow, idle, console.Profile.Width, console.Profile.Height, null))
                .AutoClear(false)
                .Overflow(VerticalOverflow.Crop)
                .Cropping(VerticalOverflowCropping.Bottom)
                .Start(context =>
                {
                    DateTime next = DateTime.UtcNow;
                    while (!cancel.IsCancellationRequested)
                    {
                        if (recorder.WaitForEnd(TimeSpan.Zero))
                        {
                            ended = true;
                            return;
                        }

                        while (Console.KeyAvailable)
                        {
                            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
                            if (key.Key is ConsoleKey.Q or ConsoleKey.Escape)
                            {
                                return;
                            }

                            if (key.Key == ConsoleKey.I)
                            {
                                idle = !idle;
                                next = DateTime.UtcNow;
                            }
                        }

                        DateTime now = DateTime.UtcNow;
                        if (now >= next && window.Received > 0)
                        {
                            TopSnapshot snapshot = Filter(window.Snapshot(idle), settings);
                            context.UpdateTarget(TopView.Render(header with { Dropped = recorder.EventsLost }, snapshot, now, idle, console.Profile.Width, console.Profile.Height, null));
                            next = now + refresh;
                        }

                        cancel.WaitHandle.WaitOne(50);
                    }
                });
        }

        if (console.Profile.Capabilities.AlternateBuffer)
        {
            console.AlternateScreen(Show);
        }
        else
        {
            Show();
        }

        return ended;
    }

    /// <summary>Waits until the first sample arrives; returns true when the target exited first.</summary>
    private static bool WaitForFirstSample(EventPipeRecorder recorder, TopWindow window, CancellationToken cancel)
    {
        DateTime deadline = DateTime.UtcNow + FirstSampleTimeout;
        while (window.Received == 0 && DateTime.UtcNow < deadline && !cancel.IsCancellationRequested)
        {
            if (recorder.WaitForEnd(TimeSpan.FromMilliseconds(50)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Waits <paramref name="time"/> or until Ctrl-C; returns true when the target exited.</summary>
    private static bool Wait(EventPipeRecorder recorder, TimeSpan time, CancellationToken cancel)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(time);
        return recorder.WaitForEnd(limit.Token);
    }

    private static TopSnapshot Filter(TopSnapshot snapshot, TopSettings settings) =>
        settings.ThresholdMs <= 0
            ? snapshot
            : snapshot with { Threads = snapshot.Threads.Where(t => t.Seen.TotalMilliseconds >= settings.ThresholdMs).ToArray() };
}

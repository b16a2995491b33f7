using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace StatProf.Benchmarks.Sampler.Internal;

/// <summary>
/// A real <c>.nettrace</c> of this process: the runtime's own thread samples, with the rundown that
/// makes their stacks resolvable, recorded while <see cref="TraceWorkload"/> runs on two threads.
/// </summary>
/// <remarks>
/// The benchmark processes of one run share one recording (in the folder named by
/// <see cref="DirectoryVariable"/>, which <c>Program</c> sets for its child processes), so that a
/// baseline and the benchmark it is compared with replay exactly the same events.
/// </remarks>
internal static class SelfTrace
{
    /// <summary>The environment variable naming the folder where the run keeps its recording.</summary>
    public const string DirectoryVariable = "STATPROF_BENCHMARK_TRACE_DIR";

    /// <summary>
    /// The recording (<see cref="RecordOrReuse"/>, 2 s) converted to an ETLX file named
    /// <paramref name="etlxName"/> in the temp folder and opened: what the replay suites read.
    /// <paramref name="ownedFolder"/> is the recording's folder when this call made it (to delete).
    /// </summary>
    public static TraceLog OpenAsTraceLog(string etlxName, out string? ownedFolder, out string etlx)
    {
        string nettrace = RecordOrReuse(TimeSpan.FromSeconds(2), out bool ownsFolder);
        ownedFolder = ownsFolder ? Path.GetDirectoryName(nettrace) : null;
        etlx = Path.Combine(Path.GetTempPath(), $"{etlxName}-{Environment.ProcessId}.etlx");
        TraceLog.CreateFromEventPipeDataFile(nettrace, etlx);
        return new TraceLog(etlx);
    }

    /// <summary>
    /// The path of this run's recording, made now (for <paramref name="duration"/>) if there is
    /// none yet. <paramref name="ownsFolder"/> is true when nobody else will delete its folder.
    /// </summary>
    public static string RecordOrReuse(TimeSpan duration, out bool ownsFolder)
    {
        string? shared = Environment.GetEnvironmentVariable(DirectoryVariable);
        ownsFolder = string.IsNullOrEmpty(shared);
        string folder = ownsFolder ? Path.Combine(Path.GetTempPath(), $"statprof-benchmarks-{Environment.ProcessId}") : shared!;
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "self.nettrace");
        if (!File.Exists(path))
        {
            string partial = $"{path}.{Environment.ProcessId}.partial";
            Record(partial, duration);
            File.Move(partial, path, overwrite: true);
        }

        return path;
    }

    private static void Record(string path, TimeSpan duration)
    {
        TraceWorkload.Running = true;
        Thread[] workers =
        [
            new(() => TraceWorkload.Descend(TraceWorkload.SpinDepth, spin: true)) { IsBackground = true, Name = "workload spin" },
            new(() => TraceWorkload.Descend(TraceWorkload.SleepDepth, spin: false)) { IsBackground = true, Name = "workload sleep" },
        ];
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        try
        {
            // The providers StackSampler uses, and the rundown at the end that names every method.
            EventPipeProvider[] providers =
            [
                new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
                new("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader)),
            ];
            var client = new DiagnosticsClient(Environment.ProcessId);
            using EventPipeSession session = client.StartEventPipeSession(providers, requestRundown: true, circularBufferMB: 256);
            using FileStream file = File.Create(path);

            // The copy keeps reading while Stop() flushes: Stop() waits for that (diagnostics#5628).
            Task copy = session.EventStream.CopyToAsync(file);
            Thread.Sleep(duration);
            session.Stop();
            copy.GetAwaiter().GetResult();
        }
        finally
        {
            TraceWorkload.Running = false;
            foreach (Thread worker in workers)
            {
                worker.Join();
            }
        }
    }
}

/// <summary>Known methods for the recorded threads to be caught in: a deep spin and a shallow sleep.</summary>
internal static class TraceWorkload
{
    public const int SpinDepth = 24;
    public const int SleepDepth = 8;

    private static volatile bool s_running;

    public static bool Running
    {
        get => s_running;
        set => s_running = value;
    }

    /// <summary>Recurses <paramref name="depth"/> frames, then spins or sleeps until stopped.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Descend(int depth, bool spin)
    {
        // Not a tail call: the JIT keeps every frame.
        return depth == 0 ? (spin ? Spin() : Sleep()) : Descend(depth - 1, spin) + 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Spin()
    {
        long x = 1;
        while (s_running)
        {
            for (int i = 0; i < 10_000; i++)
            {
                x = (x * 6364136223846793005L) + 1442695040888963407L;
            }
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Sleep()
    {
        long naps = 0;
        while (s_running)
        {
            Thread.Sleep(3);
            naps++;
        }

        return naps;
    }
}

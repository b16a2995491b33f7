using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace StatProf.Overhead.Harness;

/// <summary>
/// The runtime's own account of its stop-the-world pauses in a child: an EventPipe session on the
/// child with only the runtime provider's GC keyword at Informational (no sampling of its own), whose
/// <c>GCSuspendEEStart</c> … <c>GCRestartEEStop</c> pairs are the pauses. Suspensions for a GC are
/// left out: what remains (reason <c>SuspendOther</c>) is the sampler's tick. Unlike the probe
/// thread's gaps, this does not count the time a thread waits for a core on a loaded machine.
/// </summary>
internal sealed class PauseWatch : IDisposable
{
    private readonly EventPipeSession _session;
    private readonly Thread _reader;
    private readonly List<(long StartQpc, long Ticks)> _pauses = [];
    private long _suspendStart = -1;

    private PauseWatch(EventPipeSession session)
    {
        _session = session;
        _reader = new Thread(Read) { IsBackground = true, Name = "pause watch" };
        _reader.Start();
    }

    /// <summary>Opens the session on process <paramref name="pid"/> (a .NET child that is ready).</summary>
    public static PauseWatch Start(int pid)
    {
        var client = new DiagnosticsClient(pid);
        EventPipeSession session = client.StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC),
            requestRundown: false,
            circularBufferMB: 64);
        return new PauseWatch(session);
    }

    /// <summary>
    /// Ends the session and returns the non-GC pauses that started inside [<paramref name="fromQpc"/>,
    /// <paramref name="toQpc"/>] (the child's <see cref="System.Diagnostics.Stopwatch"/> timestamps:
    /// the runtime stamps its events with the same monotonic clock), in stopwatch ticks.
    /// </summary>
    public long[] Stop(long fromQpc, long toQpc)
    {
        try
        {
            _session.Stop();
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or TimeoutException)
        {
            // The child is gone: what was read is what there is.
        }

        _reader.Join(TimeSpan.FromSeconds(30));
        lock (_pauses)
        {
            return _pauses.Where(p => p.StartQpc >= fromQpc && p.StartQpc <= toQpc).Select(p => p.Ticks).ToArray();
        }
    }

    public void Dispose() => _session.Dispose();

    private void Read()
    {
        try
        {
            using var source = new EventPipeEventSource(_session.EventStream);
            source.Clr.GCSuspendEEStart += OnSuspend;
            source.Clr.GCRestartEEStop += OnRestarted;
            source.Process();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or EndOfStreamException)
        {
            // The stream ended with the child.
        }
    }

    private void OnSuspend(GCSuspendEETraceData data) =>
        _suspendStart = data.Reason is GCSuspendEEReason.SuspendForGC or GCSuspendEEReason.SuspendForGCPrep ? -1 : Qpc(data);

    private void OnRestarted(GCNoUserDataTraceData data)
    {
        if (_suspendStart < 0)
        {
            return;
        }

        lock (_pauses)
        {
            _pauses.Add((_suspendStart, Qpc(data) - _suspendStart));
        }

        _suspendStart = -1;
    }

#pragma warning disable CS0618 // "Discouraged", not obsolete: the raw timestamp is the clock the child's Stopwatch reads.
    private static long Qpc(TraceEvent data) => data.TimeStampQPC;
#pragma warning restore CS0618
}

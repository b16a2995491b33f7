using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace StatProf.Sampler.Internal.Symbols;

/// <summary>
/// The IL-to-native maps of code jitted before a session started: a short EventPipe session with
/// rundown requested is started and stopped at once; at its stop the runtime enumerates every
/// jitted body (<c>MethodDCEndVerbose</c>) with its map (<c>MethodDCEndILToNativeMap</c>: the
/// default rundown keywords, 0x80020139, include 0x20000). TraceLog runs its own rundown for
/// method names but keeps neither the maps nor a hook to read them, hence this second one.
/// </summary>
internal static class RundownMaps
{
    /// <summary>
    /// Runs the rundown on the process behind <paramref name="client"/> and feeds its maps into
    /// <paramref name="maps"/>. Returns false (and leaves the maps as they are) when it fails or
    /// exceeds <paramref name="timeout"/>: frames then have no line, nothing else changes.
    /// </summary>
    public static bool Collect(DiagnosticsClient client, NativeCodeMaps maps, TimeSpan timeout)
    {
        EventPipeSession session;
        try
        {
            // One cheap provider: a session needs one; the rundown is what we want.
            session = client.StartEventPipeSession(
                [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Critical, (long)ClrTraceEventParser.Keywords.Loader)],
                requestRundown: true,
                circularBufferMB: 64);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }

        var collected = new NativeCodeMaps();
        bool ok = false;
        var reader = new Thread(() =>
        {
            try
            {
                // The source's constructor blocks until the first event: the stop below produces them.
                using var source = new EventPipeEventSource(session.EventStream);
                var rundown = new ClrRundownTraceEventParser(source);
                rundown.MethodILToNativeMapDCStop += collected.OnRundownMap;
                rundown.MethodDCStopVerbose += collected.OnRundownMethod;
                source.Process();
                ok = true;
            }
            catch (Exception)
            {
                // A broken stream: no maps from the rundown.
            }
        })
        { IsBackground = true, Name = "StatProf rundown maps" };
        reader.Start();
        try
        {
            session.Stop();
        }
        catch (Exception)
        {
            // Stopped already, or the target is gone.
        }

        bool ended = reader.Join(timeout);
        try
        {
            session.Dispose();
        }
        catch (Exception)
        {
            // Already closed.
        }

        if (!ended || !ok)
        {
            reader.Join(TimeSpan.FromMilliseconds(200));
            return false;
        }

        maps.Merge(collected);
        return true;
    }
}

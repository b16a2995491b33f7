using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StatProf.Cli.Dump;

/// <summary>Writes a <see cref="ThreadDump"/> as text (for people) or JSON (docs/cli-dump.md).</summary>
internal static class DumpWriter
{
    /// <summary>The summary line, the pause, then each thread: header line, request, blocking, frames.</summary>
    public static void WriteText(ThreadDump dump, TextWriter output)
    {
        output.WriteLine(dump.Summary);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"process {dump.ProcessId} ({dump.ProcessName}), .NET {dump.RuntimeVersion}, paused {dump.PausedMs:0.0} ms"));
        foreach (ThreadSnapshot thread in dump.Threads)
        {
            output.WriteLine();
            var header = new StringBuilder();
            header.Append(CultureInfo.InvariantCulture, $"thread {thread.ManagedId} (os {thread.OsId})");
            if (thread.Name is not null)
            {
                header.Append(CultureInfo.InvariantCulture, $" \"{thread.Name}\"");
            }

            header.Append(' ').Append(StateName(thread.State));
            if (thread.BlockedOn is { } blocked)
            {
                header.Append(", blocked ").Append(blocked.Kind == BlockKind.SyncOverAsync ? "in sync-over-async" : "on a lock");
                if (blocked.OwnerManagedId is { } owner)
                {
                    header.Append(CultureInfo.InvariantCulture, $" held by thread {owner} (os {blocked.OwnerOsId})");
                }

                header.Append(" at ").Append(blocked.Frame);
            }

            output.WriteLine(header.ToString());
            if (thread.Request is { } request)
            {
                output.WriteLine($"  serving {request.Method} {request.Path}");
            }

            for (int i = 0; i < thread.Frames.Count; i++)
            {
                // As .NET prints an exception's frames: "Name in File:line N" where the PDB tells.
                output.WriteLine(i < thread.Lines.Count && thread.Lines[i] is { } at
                    ? string.Create(CultureInfo.InvariantCulture, $"    {thread.Frames[i]} in {at.File}:line {at.Line}")
                    : $"    {thread.Frames[i]}");
            }
        }
    }

    /// <summary>The JSON object of docs/cli-dump.md.</summary>
    public static void WriteJson(ThreadDump dump, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("pid", dump.ProcessId);
        json.WriteString("process", dump.ProcessName);
        json.WriteString("runtime", dump.RuntimeVersion);
        json.WriteNumber("pausedMs", Math.Round(dump.PausedMs, 3));
        json.WriteString("summary", dump.Summary);
        json.WriteStartArray("threads");
        foreach (ThreadSnapshot thread in dump.Threads)
        {
            json.WriteStartObject();
            json.WriteNumber("os", thread.OsId);
            json.WriteNumber("managed", thread.ManagedId);
            if (thread.Name is null)
            {
                json.WriteNull("name");
            }
            else
            {
                json.WriteString("name", thread.Name);
            }

            json.WriteString("state", StateName(thread.State));
            if (thread.Request is { } request)
            {
                json.WriteStartObject("request");
                json.WriteString("method", request.Method);
                json.WriteString("path", request.Path);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("request");
            }

            if (thread.BlockedOn is { } blocked)
            {
                json.WriteStartObject("blockedOn");
                json.WriteString("kind", blocked.Kind == BlockKind.SyncOverAsync ? "sync-over-async" : "lock");
                json.WriteString("frame", blocked.Frame);
                if (blocked.OwnerManagedId is { } owner)
                {
                    json.WriteStartObject("owner");
                    json.WriteNumber("os", blocked.OwnerOsId ?? 0);
                    json.WriteNumber("managed", owner);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("owner");
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("blockedOn");
            }

            json.WriteStartArray("frames");
            foreach (string frame in thread.Frames)
            {
                json.WriteStringValue(frame);
            }

            json.WriteEndArray();

            // Aligned with frames: {file, line} where a portable PDB gives it, else null.
            json.WriteStartArray("lines");
            for (int i = 0; i < thread.Frames.Count; i++)
            {
                if (i < thread.Lines.Count && thread.Lines[i] is { } at)
                {
                    json.WriteStartObject();
                    json.WriteString("file", at.File);
                    json.WriteNumber("line", at.Line);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string StateName(ThreadState state) => state == ThreadState.Running ? "running" : "waiting";
}

using System.Buffers;
using System.Text;
using System.Text.Json;
using StatProf.Analysis.Internal.Exporting;

namespace StatProf.Analysis;

/// <summary>
/// Writes a <see cref="Profile"/>'s samples in the exchange formats other tools read: folded stacks
/// (flamegraph.pl, inferno), speedscope JSON (speedscope.app) and pprof (go tool pprof, Pyroscope,
/// Grafana). Each honours the profile's selection (requests chosen by id or <c>--where</c>) and its
/// ignore rules. See <c>docs/formats.md</c>.
/// </summary>
public static class ExportWriter
{
    /// <summary>
    /// Writes folded stacks: one <c>root;…;leaf count</c> line per distinct stack, sorted by stack
    /// text. In frame names <c>;</c> becomes <c>:</c>; line breaks and tabs become spaces.
    /// </summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The writer (use <c>\n</c> line ends; the writer is not closed).</param>
    public static void WriteFolded(Profile profile, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        FoldedWriter.Write(profile, output);
    }

    /// <summary>
    /// Writes the speedscope JSON file format (<c>https://www.speedscope.app/file-format-schema.json</c>):
    /// shared frames and one <c>sampled</c> profile per selected request, named <c>request name (id)</c>,
    /// weighted in samples (unit <c>none</c>). Each distinct stack of a request is one weighted sample, in
    /// first-seen order, so speedscope's Left Heavy and Sandwich views are exact and its Time Order is not a timeline.
    /// </summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The stream (UTF-8 JSON); not closed.</param>
    public static void WriteSpeedscope(Profile profile, Stream output)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        using var json = new Utf8JsonWriter(output);
        SpeedscopeWriter.Write(profile, json);
    }

    /// <summary>Writes the speedscope JSON file format to a text writer (see <see cref="WriteSpeedscope(Profile, Stream)"/>).</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The writer; not closed.</param>
    public static void WriteSpeedscope(Profile profile, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            SpeedscopeWriter.Write(profile, json);
        }

        output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        output.Write('\n');
    }

    /// <summary>
    /// Writes a gzipped pprof <c>profile.proto</c> (go tool pprof, Pyroscope, Parca, Grafana): sample types
    /// <c>samples/count</c> (default) and <c>wall/nanoseconds</c> (samples times the dump interval), one
    /// function and location per frame, samples labelled <c>request</c>, <c>request_name</c> and <c>state</c>.
    /// </summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The stream (binary); not closed.</param>
    public static void WritePprof(Profile profile, Stream output)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        PprofWriter.Write(profile, output);
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;
using StatProf.Analysis.Internal.Rendering;

namespace StatProf.Analysis;

/// <summary>
/// Renders profiles and diffs as <c>json</c> (the contract of DESIGN.md: one object with
/// <c>samples</c>, <c>frames</c> by self descending and <c>spots</c> by seconds descending, plus
/// shares, intervals, requests and <c>skippedLines</c>), as a readable <c>text</c> summary, or as an
/// interactive <c>html</c> page with flame graphs.
/// </summary>
public static class ReportWriter
{
    /// <summary>Writes a profile as one JSON object (UTF-8, indented).</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The stream; not closed.</param>
    public static void WriteJson(Profile profile, Stream output)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        JsonReport.Write(profile, json);
        json.Flush();
        output.Write("\n"u8);
    }

    /// <summary>Writes a profile as one JSON object (indented) to a text writer.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The writer.</param>
    public static void WriteJson(Profile profile, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        WriteUtf8(output, json => JsonReport.Write(profile, json));
    }

    /// <summary>Writes a diff as one JSON object (indented) to a text writer.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="output">The writer.</param>
    public static void WriteJson(ProfileDiff diff, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(output);
        WriteUtf8(output, json => JsonReport.Write(diff, json));
    }

    /// <summary>Writes a profile as a readable text summary.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The writer.</param>
    /// <param name="options">How much to show; <c>null</c> for the defaults.</param>
    public static void WriteText(Profile profile, TextWriter output, TextReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        TextReport.Write(profile, output, options ?? new TextReportOptions());
    }

    /// <summary>Writes a diff as a readable text summary of its significant changes.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="output">The writer.</param>
    /// <param name="options">How much to show; <c>null</c> for the defaults.</param>
    public static void WriteText(ProfileDiff diff, TextWriter output, TextReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(output);
        TextReport.Write(diff, output, options ?? new TextReportOptions());
    }

    /// <summary>
    /// Writes a profile as one self-contained interactive HTML page: flame graphs of all requests and
    /// of the slowest ones, the optimization spots, the slow requests. It needs no network and works
    /// from <c>file://</c>; names are embedded as JSON data and shown as text, never as markup.
    /// </summary>
    /// <param name="profile">The profile.</param>
    /// <param name="output">The stream; not closed.</param>
    /// <param name="options">Pruning and limits; <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static void WriteHtml(Profile profile, Stream output, HtmlReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        HtmlReport.Write(profile, output, options ?? new HtmlReportOptions());
    }

    /// <summary>
    /// Writes a diff as one self-contained HTML page: the after profile's flame graph with frames
    /// coloured red (grew significantly), blue (shrank significantly) or grey (noise), and the changes.
    /// </summary>
    /// <param name="diff">The diff.</param>
    /// <param name="output">The stream; not closed.</param>
    /// <param name="options">Pruning and limits; <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static void WriteHtml(ProfileDiff diff, Stream output, HtmlReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(output);
        HtmlReport.Write(diff, output, options ?? new HtmlReportOptions());
    }

    private static void WriteUtf8(TextWriter output, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        output.Write('\n');
    }
}

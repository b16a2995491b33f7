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
}

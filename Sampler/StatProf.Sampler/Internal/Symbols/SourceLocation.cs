namespace StatProf.Sampler.Internal.Symbols;

/// <summary>A source file and a 1-based line, as a portable PDB's sequence point names them.</summary>
/// <param name="File">The document path recorded in the PDB (the build machine's path, or a SourceLink-mapped one).</param>
/// <param name="Line">The 1-based start line of the sequence point.</param>
internal sealed record SourceLocation(string File, int Line);

namespace StatProf.Analysis;

/// <summary>A frame in two profiles (matched by name).</summary>
/// <param name="Name">The frame's name.</param>
/// <param name="SelfBefore">Self samples before.</param>
/// <param name="SelfAfter">Self samples after.</param>
/// <param name="TotalBefore">Total samples before.</param>
/// <param name="TotalAfter">Total samples after.</param>
/// <param name="Self">The change of its self share.</param>
/// <param name="Total">The change of its total share.</param>
public sealed record FrameChange(string Name, long SelfBefore, long SelfAfter, long TotalBefore, long TotalAfter, ShareChange Self, ShareChange Total)
{
    /// <summary>The verdict: the self share's when significant (the change is in the frame itself), else the total share's (in what it calls).</summary>
    public ChangeKind Kind => Self.IsSignificant ? Self.Kind : Total.Kind;
}

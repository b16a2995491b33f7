namespace StatProf.Analysis;

/// <summary>An optimization spot in two profiles (matched by frame name).</summary>
/// <param name="Frame">The frame's name.</param>
/// <param name="SecondsBefore">Seconds credited before.</param>
/// <param name="SecondsAfter">Seconds credited after.</param>
/// <param name="RequestsBefore">Requests that credited it before.</param>
/// <param name="RequestsAfter">Requests that credited it after.</param>
/// <param name="Share">The change of its share of boundary time (n = pairs of consecutive dumps).</param>
public sealed record SpotChange(string Frame, double SecondsBefore, double SecondsAfter, int RequestsBefore, int RequestsAfter, ShareChange Share)
{
    /// <summary>The verdict.</summary>
    public ChangeKind Kind => Share.Kind;
}

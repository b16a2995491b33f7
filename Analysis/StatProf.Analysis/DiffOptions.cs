namespace StatProf.Analysis;

/// <summary>When <see cref="ProfileDiff.Compare"/> calls a change significant. Immutable once made.</summary>
public sealed class DiffOptions
{
    /// <summary>
    /// The false discovery rate: p-values are adjusted with Benjamini–Hochberg over each family of
    /// tests (frame self shares, frame total shares, spot shares), and a change is significant when
    /// its adjusted value is below this. In (0, 1). Default: 0.05.
    /// </summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>
    /// The smallest absolute change of a share (0.01 = one percentage point) worth reporting, however
    /// significant: with millions of samples, tiny real shifts are not regressions anyone should chase.
    /// In [0, 1). Default: 0.01.
    /// </summary>
    public double MinimumChange { get; init; } = 0.01;

    internal void Validate()
    {
        if (!(Alpha > 0 && Alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be in (0, 1).");
        }

        if (!(MinimumChange >= 0 && MinimumChange < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumChange), MinimumChange, "MinimumChange must be in [0, 1).");
        }
    }
}

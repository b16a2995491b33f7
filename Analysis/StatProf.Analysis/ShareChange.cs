namespace StatProf.Analysis;

/// <summary>
/// A share before and after, with a pooled two-proportion z-test.
/// </summary>
/// <param name="Before">The share before.</param>
/// <param name="After">The share after.</param>
/// <param name="Z">The test statistic, positive when the share grew.</param>
/// <param name="PValue">The two-sided p-value.</param>
/// <param name="AdjustedPValue">The p-value adjusted for the number of tests (Benjamini–Hochberg).</param>
/// <param name="Kind">The verdict: significant and large enough, or noise.</param>
public sealed record ShareChange(double Before, double After, double Z, double PValue, double AdjustedPValue, ChangeKind Kind)
{
    /// <summary>After minus before.</summary>
    public double Delta => After - Before;

    /// <summary>Whether the change is a regression or an improvement rather than noise.</summary>
    public bool IsSignificant => Kind != ChangeKind.Unchanged;
}

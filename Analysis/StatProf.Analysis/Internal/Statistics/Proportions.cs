using MathNet.Numerics.Distributions;

namespace StatProf.Analysis.Internal.Statistics;

/// <summary>
/// Binomial proportions: Wilson score intervals and the two-proportion z-test.
/// </summary>
/// <remarks>
/// Both treat samples as independent draws. Consecutive samples of one slow request are not (a
/// request blocked for 10 s gives 10 identical samples), so intervals over few requests are
/// narrower than the truth: read them as "the sampling noise", not "the request-to-request noise".
/// </remarks>
internal static class Proportions
{
    /// <summary>z for a 95 % two-sided interval, computed once.</summary>
    public static readonly double Z95 = Normal.InvCDF(0, 1, 0.975);

    /// <summary>The two-sided critical value of the standard normal for a confidence level.</summary>
    public static double ZForConfidence(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence level must be in (0, 1).");
        }

        return confidence == 0.95 ? Z95 : Normal.InvCDF(0, 1, 1 - ((1 - confidence) / 2));
    }

    /// <summary>
    /// The Wilson score interval for an observed proportion <paramref name="p"/> over
    /// <paramref name="n"/> trials (n may be fractional-free but p need not be k/n exactly: shares
    /// weighted by seconds use the number of intervals as n).
    /// </summary>
    public static Share Wilson(double p, double n, double z)
    {
        if (n <= 0 || double.IsNaN(p))
        {
            return new Share(0, 0, 1);
        }

        p = Math.Clamp(p, 0, 1);
        double z2 = z * z;
        double denominator = 1 + (z2 / n);
        double center = (p + (z2 / (2 * n))) / denominator;
        double half = z / denominator * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        double low = Math.Max(0, center - half);
        double high = Math.Min(1, center + half);

        // Floating point may put the bounds a hair inside p at the extremes; the interval always contains p.
        return new Share(p, Math.Min(low, p), Math.Max(high, p));
    }

    /// <summary>
    /// Pooled two-proportion z-test of p1 = k1/n1 against p2 = k2/n2. Returns z (positive when the
    /// second proportion is larger) and the two-sided p-value; with no information (an empty side,
    /// or both proportions 0 or both 1) z is 0 and p is 1.
    /// </summary>
    public static (double Z, double PValue) TwoProportionZTest(double p1, double n1, double p2, double n2)
    {
        if (n1 <= 0 || n2 <= 0)
        {
            return (0, 1);
        }

        double pooled = ((p1 * n1) + (p2 * n2)) / (n1 + n2);
        double variance = pooled * (1 - pooled) * ((1 / n1) + (1 / n2));
        if (!(variance > 0))
        {
            return (0, 1);
        }

        double z = (p2 - p1) / Math.Sqrt(variance);
        double pValue = 2 * Normal.CDF(0, 1, -Math.Abs(z));
        return (z, Math.Clamp(pValue, 0, 1));
    }

    /// <summary>
    /// Benjamini–Hochberg adjusted p-values (q-values), in the order given: controls the false
    /// discovery rate when many frames are tested at once, so one report of 500 frames does not
    /// flag 25 of them by chance at α = 0.05.
    /// </summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        int m = pValues.Count;
        var adjusted = new double[m];
        if (m == 0)
        {
            return adjusted;
        }

        int[] order = Enumerable.Range(0, m).ToArray();
        Array.Sort(order, (a, b) => pValues[b].CompareTo(pValues[a])); // largest p first
        double running = 1;
        for (int i = 0; i < m; i++)
        {
            int index = order[i];
            int rank = m - i; // rank of this p-value in ascending order, 1-based
            running = Math.Min(running, pValues[index] * m / rank);
            adjusted[index] = Math.Min(1, running);
        }

        return adjusted;
    }
}

namespace StatProf.Overhead.Harness;

/// <summary>Order statistics over a few repetitions: median and range, nothing that assumes a distribution.</summary>
internal static class Stats
{
    /// <summary>The nearest-rank percentile of sorted values (0 when empty).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Median (mean of the two middle values for an even count), min and max.</summary>
    public static Summary Summarize(IEnumerable<double> values)
    {
        double[] v = values.Order().ToArray();
        if (v.Length == 0)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        }

        double median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
        return new Summary(median, v[0], v[^1], v.Length);
    }
}

/// <summary>Median and range of <see cref="Count"/> repetitions.</summary>
internal sealed record Summary(double Median, double Min, double Max, int Count);

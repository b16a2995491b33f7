using StatProf.Analysis.Internal.Statistics;

namespace StatProf.Analysis;

/// <summary>
/// A proportion with its confidence interval, e.g. the share of samples in which a frame was the
/// leaf. <see cref="Low"/> ≤ <see cref="Value"/> ≤ <see cref="High"/>, all in [0, 1].
/// </summary>
/// <param name="Value">The observed proportion (0 when there is no observation).</param>
/// <param name="Low">Lower bound of the interval.</param>
/// <param name="High">Upper bound of the interval.</param>
public readonly record struct Share(double Value, double Low, double High)
{
    /// <summary>
    /// The Wilson score interval of <paramref name="successes"/> out of <paramref name="trials"/>:
    /// well behaved near 0 and 1 and for small samples, unlike the normal approximation.
    /// With no trials the interval is [0, 1].
    /// </summary>
    /// <param name="successes">Observations that have the property, 0 ≤ successes ≤ trials.</param>
    /// <param name="trials">All observations.</param>
    /// <param name="confidence">The confidence level, in (0, 1). Default: 0.95.</param>
    /// <returns>The share and its interval.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, successes exceed trials, or the level is not in (0, 1).</exception>
    public static Share Wilson(long successes, long trials, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        return Proportions.Wilson(trials == 0 ? 0 : (double)successes / trials, trials, Proportions.ZForConfidence(confidence));
    }
}

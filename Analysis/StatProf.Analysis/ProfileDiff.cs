using StatProf.Analysis.Internal.Statistics;

namespace StatProf.Analysis;

/// <summary>
/// Two profiles compared (before/after a change, two time windows, two hosts): every frame's self
/// and total share and every spot's share, each with a two-proportion z-test, p-values adjusted for
/// the number of frames tested, and a verdict so that noise is not reported as a regression.
/// </summary>
/// <remarks>
/// Shares are compared rather than counts, so sets of different sizes compare. The tests treat
/// samples as independent; consecutive samples of one request are not, so with few requests a
/// significant verdict means "not sampling noise", not "reproducible from request to request".
/// </remarks>
public sealed class ProfileDiff
{
    private ProfileDiff(Profile before, Profile after, DiffOptions options, IReadOnlyList<FrameChange> frames, IReadOnlyList<SpotChange> spots)
    {
        Before = before;
        After = after;
        Options = options;
        Frames = frames;
        Spots = spots;
    }

    /// <summary>The profile before.</summary>
    public Profile Before { get; }

    /// <summary>The profile after.</summary>
    public Profile After { get; }

    /// <summary>The options used.</summary>
    public DiffOptions Options { get; }

    /// <summary>Every frame of either profile, significant changes first, then by absolute self-share change.</summary>
    public IReadOnlyList<FrameChange> Frames { get; }

    /// <summary>Every spot of either profile, significant changes first, then by absolute share change.</summary>
    public IReadOnlyList<SpotChange> Spots { get; }

    /// <summary>Frames whose share grew significantly.</summary>
    public IEnumerable<FrameChange> FrameRegressions => Frames.Where(f => f.Kind == ChangeKind.Regression);

    /// <summary>Spots whose share grew significantly.</summary>
    public IEnumerable<SpotChange> SpotRegressions => Spots.Where(s => s.Kind == ChangeKind.Regression);

    /// <summary>Compares two profiles.</summary>
    /// <param name="before">The baseline.</param>
    /// <param name="after">The profile to judge.</param>
    /// <param name="options">Significance settings; <c>null</c> for the defaults.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static ProfileDiff Compare(Profile before, Profile after, DiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        options ??= new DiffOptions();
        options.Validate();

        // Frames, matched by name.
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (FrameStat frame in before.Frames.Concat(after.Frames))
        {
            if (seen.Add(frame.Name))
            {
                names.Add(frame.Name);
            }
        }

        double n1 = before.Samples, n2 = after.Samples;
        var selfTests = new (double Before, double After, double Z, double P)[names.Count];
        var totalTests = new (double Before, double After, double Z, double P)[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            FrameStat? b = before.FindFrame(names[i]);
            FrameStat? a = after.FindFrame(names[i]);
            selfTests[i] = Test(Ratio(b?.Self ?? 0, n1), n1, Ratio(a?.Self ?? 0, n2), n2);
            totalTests[i] = Test(Ratio(b?.Total ?? 0, n1), n1, Ratio(a?.Total ?? 0, n2), n2);
        }

        ShareChange[] self = Judge(selfTests, options);
        ShareChange[] total = Judge(totalTests, options);
        var frames = new FrameChange[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            FrameStat? b = before.FindFrame(names[i]);
            FrameStat? a = after.FindFrame(names[i]);
            frames[i] = new FrameChange(names[i], b?.Self ?? 0, a?.Self ?? 0, b?.Total ?? 0, a?.Total ?? 0, self[i], total[i]);
        }

        // Spots, matched by frame name; shares of boundary time, n = pairs of consecutive dumps.
        var spotNames = before.Spots.Select(s => s.Frame).Union(after.Spots.Select(s => s.Frame), StringComparer.Ordinal).ToArray();
        double m1 = before.Boundary.Intervals, m2 = after.Boundary.Intervals;
        var spotTests = new (double Before, double After, double Z, double P)[spotNames.Length];
        for (int i = 0; i < spotNames.Length; i++)
        {
            double s1 = before.FindSpot(spotNames[i])?.Seconds ?? 0;
            double s2 = after.FindSpot(spotNames[i])?.Seconds ?? 0;
            spotTests[i] = Test(Ratio(s1, before.Boundary.Seconds), m1, Ratio(s2, after.Boundary.Seconds), m2);
        }

        ShareChange[] spotShares = Judge(spotTests, options);
        var spots = new SpotChange[spotNames.Length];
        for (int i = 0; i < spotNames.Length; i++)
        {
            Spot? b = before.FindSpot(spotNames[i]);
            Spot? a = after.FindSpot(spotNames[i]);
            spots[i] = new SpotChange(spotNames[i], b?.Seconds ?? 0, a?.Seconds ?? 0, b?.Requests ?? 0, a?.Requests ?? 0, spotShares[i]);
        }

        return new ProfileDiff(
            before,
            after,
            options,
            frames.OrderByDescending(f => f.Kind != ChangeKind.Unchanged).ThenByDescending(f => Math.Abs(f.Self.Delta)).ThenByDescending(f => Math.Abs(f.Total.Delta)).ThenBy(f => f.Name, StringComparer.Ordinal).ToArray(),
            spots.OrderByDescending(s => s.Kind != ChangeKind.Unchanged).ThenByDescending(s => Math.Abs(s.Share.Delta)).ThenBy(s => s.Frame, StringComparer.Ordinal).ToArray());
    }

    private static double Ratio(double part, double whole) => whole > 0 ? part / whole : 0;

    private static (double Before, double After, double Z, double P) Test(double p1, double n1, double p2, double n2)
    {
        (double z, double p) = Proportions.TwoProportionZTest(p1, n1, p2, n2);
        return (p1, p2, z, p);
    }

    private static ShareChange[] Judge((double Before, double After, double Z, double P)[] tests, DiffOptions options)
    {
        double[] adjusted = Proportions.BenjaminiHochberg(tests.Select(t => t.P).ToArray());
        var changes = new ShareChange[tests.Length];
        for (int i = 0; i < tests.Length; i++)
        {
            (double before, double after, double z, double p) = tests[i];
            bool significant = adjusted[i] < options.Alpha && Math.Abs(after - before) >= options.MinimumChange;
            ChangeKind kind = !significant ? ChangeKind.Unchanged : after > before ? ChangeKind.Regression : ChangeKind.Improvement;
            changes[i] = new ShareChange(before, after, z, p, adjusted[i], kind);
        }

        return changes;
    }
}

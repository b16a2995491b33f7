using StatProf.Analysis.Internal.Statistics;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Diff;

public sealed class ProfileDiffTests
{
    [Fact]
    public void TwoProportionZTestMatchesKnownValues()
    {
        (double z, double p) = Proportions.TwoProportionZTest(0.10, 1000, 0.30, 1000);
        Assert.Equal(11.180340, z, 5);
        Assert.True(p < 1e-20);

        (z, p) = Proportions.TwoProportionZTest(45 / 500.0, 500, 60 / 500.0, 500);
        Assert.Equal(1.547338, z, 5);
        Assert.Equal(0.121782, p, 5);

        Assert.Equal((0.0, 1.0), Proportions.TwoProportionZTest(0, 100, 0, 100));
        Assert.Equal((0.0, 1.0), Proportions.TwoProportionZTest(0.5, 0, 0.5, 100));
    }

    [Fact]
    public void BenjaminiHochbergAdjustsForTheNumberOfTests()
    {
        double[] adjusted = Proportions.BenjaminiHochberg([0.01, 0.04, 0.03, 0.2]);

        Assert.Equal([0.04, 0.053333, 0.053333, 0.2], adjusted.Select(q => Math.Round(q, 6)));
    }

    [Fact]
    public void ABigChangeIsASignificantRegression()
    {
        Profile before = Sampled(("Main()", "Hot()", 100), ("Main()", "Other()", 900));
        Profile after = Sampled(("Main()", "Hot()", 300), ("Main()", "Other()", 700));

        ProfileDiff diff = ProfileDiff.Compare(before, after);

        FrameChange hot = diff.Frames.Single(f => f.Name == "Hot()");
        Assert.Equal(ChangeKind.Regression, hot.Kind);
        Assert.Equal(0.2, hot.Self.Delta, 9);
        Assert.True(hot.Self.PValue < 1e-10);
        Assert.Equal(ChangeKind.Improvement, diff.Frames.Single(f => f.Name == "Other()").Kind);
        Assert.Equal(ChangeKind.Unchanged, diff.Frames.Single(f => f.Name == "Main()").Kind);
        Assert.Equal("Hot()", diff.FrameRegressions.Single().Name);
    }

    [Fact]
    public void ATinyChangeIsNoise()
    {
        Profile before = Sampled(("Main()", "Hot()", 100), ("Main()", "Other()", 900));
        Profile after = Sampled(("Main()", "Hot()", 105), ("Main()", "Other()", 895));

        ProfileDiff diff = ProfileDiff.Compare(before, after);

        FrameChange hot = diff.Frames.Single(f => f.Name == "Hot()");
        Assert.Equal(ChangeKind.Unchanged, hot.Kind);
        Assert.True(hot.Self.PValue > 0.5);
        Assert.Empty(diff.FrameRegressions);
    }

    [Fact]
    public void ASignificantChangeBelowTheMinimumIsNotReported()
    {
        // 3 percentage points over 10 000 samples is real (p ~ 1e-10) but below a 5-point minimum.
        Profile before = Sampled(("Main()", "Hot()", 1000), ("Main()", "Other()", 9000));
        Profile after = Sampled(("Main()", "Hot()", 1300), ("Main()", "Other()", 8700));

        FrameChange hot = ProfileDiff.Compare(before, after, new DiffOptions { MinimumChange = 0.05 }).Frames.Single(f => f.Name == "Hot()");

        Assert.True(hot.Self.PValue < 1e-8);
        Assert.Equal(ChangeKind.Unchanged, hot.Kind);
    }

    [Fact]
    public void SamplingNoiseOverManyFramesFlagsNothing()
    {
        // Two draws from the same distribution over 200 frames (fixed seed): without an adjustment
        // for the number of tests, about 10 frames would cross p < 0.05 by chance.
        var random = new Random(42);
        Profile Draw()
        {
            var counts = new int[200];
            for (int i = 0; i < 20_000; i++)
            {
                counts[random.Next(200)]++;
            }

            return Sampled(counts.Select((c, i) => ("Main()", $"F{i}()", c)).ToArray());
        }

        Profile first = Draw(), second = Draw();
        ProfileDiff byDefault = ProfileDiff.Compare(first, second);
        ProfileDiff adjustedOnly = ProfileDiff.Compare(first, second, new DiffOptions { MinimumChange = 0 });

        Assert.DoesNotContain(byDefault.Frames, f => f.Kind != ChangeKind.Unchanged);
        int raw = adjustedOnly.Frames.Count(f => f.Self.PValue < 0.05);
        int flagged = adjustedOnly.Frames.Count(f => f.Kind != ChangeKind.Unchanged);
        Assert.True(raw >= 5, $"{raw} raw p-values below 0.05");
        Assert.True(flagged <= 1, $"{flagged} frames flagged after adjustment ({raw} before)");
    }

    [Fact]
    public void SpotsAreComparedByTheirShareOfBoundaryTime()
    {
        Profile before = Spotted(blocked: 5, busy: 45);
        Profile after = Spotted(blocked: 30, busy: 20);

        ProfileDiff diff = ProfileDiff.Compare(before, after);

        SpotChange blocked = diff.Spots.Single(s => s.Frame == "Lock.Enter()");
        Assert.Equal(ChangeKind.Regression, blocked.Kind);
        Assert.Equal((5.0, 30.0), (blocked.SecondsBefore, blocked.SecondsAfter));
        Assert.Equal("Lock.Enter()", diff.SpotRegressions.Single().Frame);
    }

    [Fact]
    public void OptionsOutOfRangeAreRefused()
    {
        Profile p = Sampled(("Main()", "A()", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProfileDiff.Compare(p, p, new DiffOptions { Alpha = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProfileDiff.Compare(p, p, new DiffOptions { MinimumChange = 1 }));
    }

    /// <summary>A profile with the given number of samples per (root, leaf) stack, all in one request.</summary>
    private static Profile Sampled(params (string Root, string Leaf, int Count)[] stacks)
    {
        var r = new FakeRequest("a");
        var lines = new List<string> { Records.Header() };
        int dump = 0;
        foreach ((string root, string leaf, int count) in stacks)
        {
            if (count == 0)
            {
                continue;
            }

            int first = ++dump;
            lines.Add(r.Dump(first, root, leaf));
            for (int i = 1; i < count; i++)
            {
                lines.Add(r.Same(++dump, first));
            }
        }

        return Read.Analyze(Read.Lines(lines));
    }

    /// <summary>Requests that give one second a pair to Lock.Enter() (blocked) or to Orders() (busy).</summary>
    private static Profile Spotted(int blocked, int busy)
    {
        var lines = new List<string> { Records.Header() };
        for (int i = 0; i < blocked; i++)
        {
            var r = new FakeRequest($"b{i}");
            lines.Add(r.Dump(1, DumpState.Waiting, "Main()", "Report()", "Lock.Enter()"));
            lines.Add(r.Same(2, 1, DumpState.Waiting));
        }

        for (int i = 0; i < busy; i++)
        {
            var r = new FakeRequest($"o{i}");
            lines.Add(r.Dump(1, "Main()", "Orders()", "A()"));
            lines.Add(r.Dump(2, "Main()", "Orders()", "B()"));
        }

        return Read.Analyze(Read.Lines(lines));
    }
}

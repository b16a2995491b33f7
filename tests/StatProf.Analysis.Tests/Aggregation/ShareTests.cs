namespace StatProf.Analysis.Tests.Aggregation;

public sealed class ShareTests
{
    // Reference values: Wilson score interval at 95 % (z = 1.959964), computed independently.
    [Theory]
    [InlineData(0, 10, 0.0, 0.277533)]
    [InlineData(1, 10, 0.017876, 0.404150)]
    [InlineData(5, 10, 0.236593, 0.763407)]
    [InlineData(10, 10, 0.722467, 1.0)]
    [InlineData(81, 263, 0.255289, 0.366210)]
    [InlineData(50, 1000, 0.038130, 0.065314)]
    public void WilsonIntervalMatchesKnownValues(long successes, long trials, double low, double high)
    {
        Share share = Share.Wilson(successes, trials);

        Assert.Equal((double)successes / trials, share.Value, 12);
        Assert.Equal(low, share.Low, 5);
        Assert.Equal(high, share.High, 5);
    }

    [Fact]
    public void WithNoTrialsTheIntervalIsEverything()
    {
        Assert.Equal(new Share(0, 0, 1), Share.Wilson(0, 0));
    }

    [Fact]
    public void AHigherConfidenceGivesAWiderInterval()
    {
        Share at95 = Share.Wilson(30, 100);
        Share at99 = Share.Wilson(30, 100, 0.99);

        Assert.True(at99.Low < at95.Low && at99.High > at95.High);
    }

    [Fact]
    public void NonsenseCountsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Share.Wilson(11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Share.Wilson(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Share.Wilson(1, 10, 1.5));
    }
}

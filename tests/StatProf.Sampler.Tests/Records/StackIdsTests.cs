using StatProf.Sampler.Records;

namespace StatProf.Sampler.Tests.Records;

/// <summary>The writer's stack ids: one per distinct stack, lines included.</summary>
public sealed class StackIdsTests
{
    private static FrameRecord Frame(string name, string? file = null, int line = 0) => new(name, "Shop", file, line);

    [Fact]
    public void TheSameStackGetsTheSameId()
    {
        var ids = new StackIds();

        long first = ids.IdOf([Frame("Main"), Frame("PriceAll", "Pricing.cs", 13)], truncated: false);

        Assert.Equal(first, ids.IdOf([Frame("Main"), Frame("PriceAll", "Pricing.cs", 13)], truncated: false));
        Assert.NotEqual(first, ids.IdOf([Frame("Main"), Frame("PriceAll", "Pricing.cs", 13)], truncated: true));
    }

    [Fact]
    public void TheSameMethodsAtOtherLinesAreAnotherStack()
    {
        // A stack first resolved before its IL maps arrived (no line) and again with them, or a loop
        // caught at two of its calls: one id would write the first one's lines for both.
        var ids = new StackIds();

        long withoutLine = ids.IdOf([Frame("Main"), Frame("PriceAll")], truncated: false);
        long atCall = ids.IdOf([Frame("Main"), Frame("PriceAll", "Pricing.cs", 13)], truncated: false);
        long atNext = ids.IdOf([Frame("Main"), Frame("PriceAll", "Pricing.cs", 14)], truncated: false);
        long otherFile = ids.IdOf([Frame("Main"), Frame("PriceAll", "Other.cs", 13)], truncated: false);

        Assert.Equal(4, new HashSet<long> { withoutLine, atCall, atNext, otherFile }.Count);
    }
}

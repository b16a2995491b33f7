using StatProf.Analysis.Internal.Filters;

namespace StatProf.Analysis.Tests.Filters;

public sealed class GlobTests
{
    [Theory]
    [InlineData("System.Threading.ExecutionContext.RunInternal(class X)", "System.Threading.ExecutionContext.*", true)]
    [InlineData("System.Threading.ExecutionContextX.Run()", "System.Threading.ExecutionContext.*", false)]
    [InlineData("A.B`1+Box`1[System.__Canon].MoveNext()", "A.B*", true)]
    [InlineData("abc", "a?c", true)]
    [InlineData("abc", "a?", false)]
    [InlineData("abc", "*", true)]
    [InlineData("", "*", true)]
    [InlineData("aXbXc", "a*b*c", true)]
    [InlineData("aXbXd", "a*b*c", false)]
    [InlineData("Decimal+DecCalc.ScaleResult(value class Buf24*,int32)", "*Buf24?,*", true)]
    public void MatchesTheWholeText(string text, string pattern, bool expected)
    {
        Assert.Equal(expected, Glob.IsMatch(text, pattern, ignoreCase: false));
    }

    [Fact]
    public void AFramePatternWithoutSignatureMatchesTheMethodWithAny()
    {
        Assert.True(Glob.IsFrameMatch("Shop.Pricing.PriceLine(int32)", "Shop.Pricing.PriceLine", ignoreCase: false));
        Assert.False(Glob.IsFrameMatch("Shop.Pricing.PriceLines(int32)", "Shop.Pricing.PriceLine", ignoreCase: false));
    }

    [Fact]
    public void ContainsFindsTheTextAnywhereIgnoringCase()
    {
        Assert.True(Glob.Contains("GET /Orders/42", "/orders", "*/orders*", ignoreCase: true));
        Assert.True(Glob.Contains("GET /orders/42?x", "orders/*?x", "*orders/*?x*", ignoreCase: true));
        Assert.False(Glob.Contains("GET /report", "/orders", "*/orders*", ignoreCase: true));
    }

    [Fact]
    public void APathologicalPatternStaysFast()
    {
        string text = new('a', 20_000);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        bool matched = Glob.IsMatch(text, "*a*a*a*a*a*a*a*a*b", ignoreCase: false);

        Assert.False(matched);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}"); // milliseconds when linear; backtracking would take far longer than this
    }
}

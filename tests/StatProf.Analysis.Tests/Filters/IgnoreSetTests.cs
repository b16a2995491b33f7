namespace StatProf.Analysis.Tests.Filters;

public sealed class IgnoreSetTests
{
    [Theory]
    [InlineData("System.Threading.ExecutionContext.RunInternal(class System.Threading.ExecutionContext,class System.Threading.ContextCallback,class System.Object)")]
    [InlineData("System.Runtime.CompilerServices.AsyncMethodBuilderCore.Start(!!0&)")]
    [InlineData("System.Runtime.CompilerServices.AsyncTaskMethodBuilder`1+AsyncStateMachineBox`1[System.__Canon,System.__Canon].MoveNext(class System.Threading.Thread)")]
    [InlineData("System.Threading.ThreadPoolWorkQueue.Dispatch()")]
    [InlineData("System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart()")]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol.ProcessRequests(...)")]
    public void TheDefaultSetDropsRuntimePlumbing(string frame)
    {
        Assert.Equal(FrameAction.Drop, IgnoreSet.Default.ActionFor(frame));
    }

    [Theory]
    [InlineData("Shop.Pricing.PriceLine(int32)")]
    [InlineData("System.Threading.Monitor.Enter_Slowpath(class System.Object)")]
    [InlineData("System.Threading.Tasks.Task.Wait()")]
    [InlineData("[native code]")]
    public void TheDefaultSetKeepsApplicationCodeAndWaits(string frame)
    {
        Assert.Equal(FrameAction.Keep, IgnoreSet.Default.ActionFor(frame));
    }

    [Fact]
    public void RulesAddedWithWithComeFirstSoKeepOverridesADefault()
    {
        IgnoreSet set = IgnoreSet.Default.With([IgnoreRule.Parse("keep:System.Threading.ExecutionContext.*"), IgnoreRule.Parse("fold:System.Linq.*")]);

        Assert.Equal(FrameAction.Keep, set.ActionFor("System.Threading.ExecutionContext.RunInternal(x)"));
        Assert.Equal(FrameAction.Fold, set.ActionFor("System.Linq.Enumerable.Sum(x)"));
        Assert.Equal(FrameAction.Drop, set.ActionFor("System.Threading.ThreadPoolWorkQueue.Dispatch()"));
    }

    [Theory]
    [InlineData("Shop.*", FrameAction.Drop, "Shop.*")]
    [InlineData("drop:Shop.*", FrameAction.Drop, "Shop.*")]
    [InlineData("fold: System.Linq.*", FrameAction.Fold, "System.Linq.*")]
    [InlineData("KEEP:X", FrameAction.Keep, "X")]
    public void RulesParseWithAnOptionalAction(string text, FrameAction action, string pattern)
    {
        Assert.Equal(new IgnoreRule(pattern, action), IgnoreRule.Parse(text));
    }

    [Fact]
    public void AnEmptyPatternIsRefusedWithOneLine()
    {
        var error = Assert.Throws<FormatException>(() => IgnoreRule.Parse("fold:"));
        Assert.DoesNotContain('\n', error.Message);
    }
}

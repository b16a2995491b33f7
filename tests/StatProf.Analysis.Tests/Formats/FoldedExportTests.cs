using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Formats;

public sealed class FoldedExportTests : IDisposable
{
    private const string Main = "Program.<Main>$(class System.String[])";
    private readonly TempDirectory _dir = new();
    private readonly ReportCli _cli = new();

    public void Dispose()
    {
        _dir.Dispose();
        _cli.Dispose();
    }

    [Fact]
    public void FoldedIsOneSortedLinePerStackRootFirstWithItsSamples()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        int exit = _cli.Report(file, "--format", "folded", "--no-default-ignores");

        Assert.True(exit == 0, _cli.Stderr.ToString());
        Assert.Equal(
            $"""
            {Main};Shop.Orders.Get(int32);Shop.Pricing.PriceLine(int32);Shop.Pricing.BasePrice(int32) 6
            {Main};Shop.Orders.Get(int32);Shop.Pricing.PriceLine(int32);Shop.Pricing.Discount(int32) 6
            {Main};Shop.Orders.Get(int32);Shop.Pricing.PriceLine(int32);Shop.Pricing.Tax(int32) 6
            {Main};Shop.Reports.Build();System.Threading.Monitor.Enter_Slowpath(class System.Object) 4
            Shop.Jobs.Export() 1

            """,
            _cli.Stdout.ToString());
    }

    [Fact]
    public void FoldedHonoursRequestWhereAndIgnore()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());

        Assert.Equal(0, _cli.Report(file, "--format", "folded", "--request", "r1", "--ignore", "System.Threading.*"));
        Assert.Equal($"{Main};Shop.Reports.Build() 4\n", _cli.Stdout.ToString());

        Assert.Equal(0, _cli.Report(file, "--format", "folded", "--where", "name~orders", "--ignore", "fold:Shop.Pricing.PriceLine*"));
        Assert.Equal($"{Main};Shop.Orders.Get(int32);Shop.Pricing.PriceLine(int32) 18\n", _cli.Stdout.ToString());
    }

    [Fact]
    public void SeparatorsAndLineBreaksInNamesCannotBreakALine()
    {
        var request = new FakeRequest("x1");
        string file = _dir.Write("hostile.jsonl", [
            Records.Header(),
            request.Dump(1, "App.Main()", "App.Odd;Name\nWith\r\nBreaks\tAnd 7", "App.Leaf()"),
            request.Dump(2, "App.Main()", "App.Odd;Name\nWith\r\nBreaks\tAnd 7", "App.Leaf()"),
        ]);
        string output = _dir.File("out.folded");

        int exit = _cli.Report(file, "--format", "folded", "-o", output);

        Assert.True(exit == 0, _cli.Stderr.ToString());
        Assert.Equal("App.Main();App.Odd:Name With  Breaks And 7;App.Leaf() 2\n", File.ReadAllText(output));
        Assert.Contains("wrote", _cli.Stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameInputGivesTheSameBytes()
    {
        string file = _dir.Write("shop.jsonl", Samples.ShopLines());
        Assert.Equal(0, _cli.Report(file, "--format", "folded"));
        string first = _cli.Stdout.ToString();

        Assert.Equal(0, _cli.Report(file, "--format", "folded"));

        Assert.Equal(first, _cli.Stdout.ToString());
        Assert.NotEmpty(first);
    }
}

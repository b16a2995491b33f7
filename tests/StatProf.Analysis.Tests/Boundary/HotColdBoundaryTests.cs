using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Boundary;

/// <summary>The hot/cold boundary rules of DESIGN.md, on hand-made stacks (root first).</summary>
public sealed class HotColdBoundaryTests
{
    [Fact]
    public void DivergenceBelowACommonCallerCreditsTheCaller()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "Handle()", "Price()", "Round()"),
            r.Dump(2, "Main()", "Handle()", "Tax()")));

        Spot spot = Assert.Single(profile.Spots);
        Assert.Equal("Handle()", spot.Frame);
        Assert.Equal(1.0, spot.Seconds, 6);
        Assert.Equal(1, spot.Requests);
        Assert.Equal(1, spot.Intervals);
    }

    [Fact]
    public void IdenticalStacksCreditTheCallThatBlockedTheWholeInterval()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, DumpState.Waiting, "Main()", "Report()", "Db.Query()"),
            r.Dump(2, DumpState.Waiting, "Main()", "Report()", "Db.Query()"),
            r.Dump(3, DumpState.Waiting, "Main()", "Report()", "Db.Query()")));

        Spot spot = Assert.Single(profile.Spots);
        Assert.Equal(("Db.Query()", 2.0), (spot.Frame, spot.Seconds));
    }

    [Fact]
    public void ASameRecordIsAnIdenticalStack()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "Report()", "Db.Query()"),
            r.Same(2, sameAs: 1),
            r.Same(3, sameAs: 1)));

        Assert.Equal(("Db.Query()", 2.0), (profile.Spots[0].Frame, profile.Spots[0].Seconds));
    }

    [Fact]
    public void RecursionCreditsTheDeepestCommonRecursiveFrameOnce()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "Walk()", "Walk()", "Walk()", "Visit()"),
            r.Dump(2, "Main()", "Walk()", "Walk()", "Leaf()")));

        Spot spot = Assert.Single(profile.Spots);
        Assert.Equal(("Walk()", 1.0, 1L), (spot.Frame, spot.Seconds, spot.Intervals));
        FrameStat walk = profile.FindFrame("Walk()")!;
        Assert.Equal(2, walk.Total); // once per stack, not once per recursive call
        Assert.Equal(0, walk.Self);
    }

    [Fact]
    public void ARequestWithOneDumpCreditsNothingAndIsCounted()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(Records.Header(), r.Dump(1, "Main()", "Work()"), r.End(2500)));

        Assert.Empty(profile.Spots);
        Assert.Equal(1, profile.Boundary.SingleSampleRequests);
        Assert.Equal(0, profile.Boundary.Intervals);
        Assert.Null(Assert.Single(profile.Requests).TopSpot);
        Assert.Equal(1, profile.Samples);
    }

    [Fact]
    public void DumpsOfDifferentRequestsInterleavedOnOneThreadArePairedPerRequest()
    {
        // Two requests take turns on thread 1234 (an async server): pairing by thread would pair
        // A's dumps with B's and credit Main(); pairing by request credits each request's own frame.
        var a = new FakeRequest("A", osThread: 1234);
        var b = new FakeRequest("B", osThread: 1234);

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            a.Dump(1, "Main()", "Orders()", "X()"),
            b.Dump(1, "Main()", "Reports()", "Y()"),
            a.Dump(2, "Main()", "Orders()", "Z()"),
            b.Dump(2, "Main()", "Reports()", "W()"),
            a.Dump(3, "Main()", "Orders()", "X()"),
            b.Dump(3, "Main()", "Reports()", "Y()")));

        Assert.Equal(["Orders()", "Reports()"], profile.Spots.Select(s => s.Frame).Order());
        Assert.All(profile.Spots, s => Assert.Equal((2.0, 1), (s.Seconds, s.Requests)));
        Assert.Null(profile.FindSpot("Main()"));
    }

    [Fact]
    public void StacksWithNoCommonFrameCreditNothingAndAreCounted()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, "ThreadA()", "Work()"),
            r.Dump(2, "ThreadB()", "Work()"),
            r.Dump(3, "ThreadB()", "Other()")));

        Assert.Equal(1, profile.Boundary.NoCommonFrame);
        Assert.Equal(1.0, profile.Boundary.NoCommonFrameSeconds, 6);
        Assert.Equal(2, profile.Boundary.Intervals);
        Spot spot = Assert.Single(profile.Spots);
        Assert.Equal("ThreadB()", spot.Frame);
        Assert.Equal(0.5, spot.Share.Value, 6); // half of all the time between dumps
    }

    [Fact]
    public void AMarkerFrameNeverTakesTheCreditItsManagedCallerDoes()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, DumpState.Waiting, "Main()", "Socket.Receive()", "[native code]"),
            r.Dump(2, DumpState.Waiting, "Main()", "Socket.Receive()", "[native code]")));

        Assert.Equal("Socket.Receive()", Assert.Single(profile.Spots).Frame);
        Assert.Equal(2, profile.FindFrame("[native code]")!.Self); // self time stays honest
    }

    [Fact]
    public void TheIntervalIsTheElapsedTimeBetweenTheTwoDumps()
    {
        // Dump 2 was lost (a dropped record): the pair 1 → 3 spans two intervals.
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "Loop()", "A()"),
            r.Dump(3, "Main()", "Loop()", "B()")));

        Assert.Equal(2.0, Assert.Single(profile.Spots).Seconds, 6);
    }

    [Fact]
    public void DefaultIgnoredPlumbingDoesNotTakeTheCreditFromItsCaller()
    {
        var r = new FakeRequest("a");
        RecordSet set = Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "Orders.Handle()", "System.Threading.ExecutionContext.RunInternal(class System.Threading.ExecutionContext)", "A()"),
            r.Dump(2, "Main()", "Orders.Handle()", "System.Threading.ExecutionContext.RunInternal(class System.Threading.ExecutionContext)", "B()"));

        Profile raw = Analyzer.Analyze(set, new AnalysisOptions { Ignore = IgnoreSet.None });
        Profile cleaned = Analyzer.Analyze(set);

        Assert.StartsWith("System.Threading.ExecutionContext.RunInternal", raw.Spots[0].Frame, StringComparison.Ordinal);
        Assert.Equal("Orders.Handle()", cleaned.Spots[0].Frame);
        Assert.Null(cleaned.FindFrame("System.Threading.ExecutionContext.RunInternal(class System.Threading.ExecutionContext)"));
    }

    [Fact]
    public void DeathByAThousandCutsPointsAtTheLoopWhileNoLeafDominatesSelfTime()
    {
        // An order page re-prices every line through three small helpers called from one loop:
        // each dump lands in a different helper, so self time is split three ways, while every pair
        // of consecutive dumps diverges just below the loop.
        var r = new FakeRequest("0HN1", "GET /orders/42");
        string[] helpers = ["Shop.Pricing.BasePrice(int32)", "Shop.Pricing.Discount(int32)", "Shop.Pricing.Tax(int32)"];
        var lines = new List<string> { Records.Header() };
        for (int dump = 1; dump <= 30; dump++)
        {
            string[] stack = ["Shop.Program.Main()", "Shop.Orders.Get(int32)", "Shop.Pricing.PriceAll()", "Shop.Pricing.PriceLine(int32)", helpers[(dump - 1) % 3]];
            lines.Add(r.Dump(dump, dump % 4 == 0 ? [.. stack, "System.Decimal.Multiply(valuetype System.Decimal,valuetype System.Decimal)"] : stack));
        }

        lines.Add(r.End(33_000));

        Profile profile = Read.Analyze(Read.Lines(lines));

        Spot top = profile.Spots[0];
        Assert.Equal("Shop.Pricing.PriceLine(int32)", top.Frame);
        Assert.Equal(29.0, top.Seconds, 6);
        Assert.True(top.Share.Low > 0.8, $"top spot share interval {top.Share}");
        Assert.All(profile.Frames, f => Assert.True(f.SelfShare.High < 0.55, $"{f.Name} has {f.SelfShare.Value:P0} self"));
        Assert.Equal(0, profile.FindFrame("Shop.Pricing.PriceLine(int32)")!.Self);
        Assert.Equal("Shop.Pricing.PriceLine(int32)", Assert.Single(profile.Requests).TopSpot!.Frame);
    }

    [Fact]
    public void SpotsRankByCreditedSecondsAndCountRequests()
    {
        var lines = new List<string> { Records.Header() };
        for (int i = 0; i < 3; i++)
        {
            var blocked = new FakeRequest($"r{i}", "GET /report");
            lines.Add(blocked.Dump(1, DumpState.Waiting, "Main()", "Report()", "Lock.Enter()"));
            lines.Add(blocked.Same(2, 1, DumpState.Waiting));
            lines.Add(blocked.Same(3, 1, DumpState.Waiting));
        }

        var busy = new FakeRequest("o", "GET /orders");
        lines.Add(busy.Dump(1, "Main()", "Orders()", "A()"));
        lines.Add(busy.Dump(2, "Main()", "Orders()", "B()"));

        Profile profile = Read.Analyze(Read.Lines(lines));

        Assert.Equal(["Lock.Enter()", "Orders()"], profile.Spots.Select(s => s.Frame));
        Assert.Equal((6.0, 3), (profile.Spots[0].Seconds, profile.Spots[0].Requests));
        Assert.Equal(6.0 / 7.0, profile.Spots[0].Share.Value, 6);
        Assert.InRange(6.0 / 7.0, profile.Spots[0].Share.Low, profile.Spots[0].Share.High);
        Assert.Equal(7, profile.Boundary.Intervals);
    }
}

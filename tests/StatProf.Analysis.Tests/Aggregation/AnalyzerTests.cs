using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Aggregation;

public sealed class AnalyzerTests
{
    [Fact]
    public void SelfCountsTheLeafAndTotalCountsEveryFrameOncePerSample()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "Parse()", "Parse()", "Read()"),
            r.Dump(2, "Main()", "Parse()", "Read()"),
            r.Dump(3, "Main()", "Render()")));

        Assert.Equal(3, profile.Samples);
        Assert.Equal((0L, 3L), (profile.FindFrame("Main()")!.Self, profile.FindFrame("Main()")!.Total));
        Assert.Equal((0L, 2L), (profile.FindFrame("Parse()")!.Self, profile.FindFrame("Parse()")!.Total));
        Assert.Equal((2L, 2L), (profile.FindFrame("Read()")!.Self, profile.FindFrame("Read()")!.Total));
        Assert.Equal((1L, 1L), (profile.FindFrame("Render()")!.Self, profile.FindFrame("Render()")!.Total));
        Assert.Equal(["Read()", "Render()", "Main()", "Parse()"], profile.Frames.Select(f => f.Name));
        Assert.Equal("Shop", profile.Frames[0].Module);
    }

    [Fact]
    public void SharesCarryWilsonIntervalsOverAllSamples()
    {
        var r = new FakeRequest("a");
        var lines = new List<string> { Records.Header() };
        for (int i = 1; i <= 10; i++)
        {
            lines.Add(r.Dump(i, "Main()", i <= 5 ? "Hot()" : $"Cold{i}()"));
        }

        Profile profile = Read.Analyze(Read.Lines(lines));

        Assert.Equal(Share.Wilson(5, 10), profile.FindFrame("Hot()")!.SelfShare);
        Assert.Equal(Share.Wilson(10, 10), profile.FindFrame("Main()")!.TotalShare);
    }

    [Fact]
    public void SamplesAreSplitByStateOverallAndPerFrame()
    {
        var r = new FakeRequest("a");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            r.Dump(1, DumpState.Running, "Main()", "Spin()"),
            r.Dump(2, DumpState.Waiting, "Main()", "Sleep()"),
            r.Same(3, 2, DumpState.Waiting),
            r.Dump(4, DumpState.Awaiting, "Main()", "Fetch()")));

        Assert.Equal(new StateCounts(1, 2, 1), profile.States);
        Assert.Equal(new StateCounts(0, 2, 0), profile.FindFrame("Sleep()")!.SelfStates);
    }

    [Fact]
    public void EachRequestGetsItsOwnTopSpotAndBusiestLeaf()
    {
        var slow = new FakeRequest("slow", "GET /report");
        var fast = new FakeRequest("fast", "GET /orders");

        Profile profile = Read.Analyze(Read.Lines(
            Records.Header(),
            slow.Dump(1, DumpState.Waiting, "Main()", "Report()", "Db.Query()"),
            slow.Same(2, 1, DumpState.Waiting),
            slow.Same(3, 1, DumpState.Waiting),
            slow.End(5200),
            fast.Dump(1, "Main()", "Orders()", "A()"),
            fast.Dump(2, "Main()", "Orders()", "B()"),
            fast.End(3100)));

        Assert.Equal(["slow", "fast"], profile.Requests.Select(s => s.Request.Id));
        RequestSummary first = profile.Requests[0];
        Assert.Equal(("Db.Query()", 2.0), (first.TopSpot!.Frame, first.TopSpot.Seconds));
        Assert.Equal(1.0, first.TopSpot.Share.Value);
        Assert.Equal(("Db.Query()", 3L), (first.TopSelfFrame, first.TopSelfSamples));
        Assert.Equal("Orders()", profile.Requests[1].TopSpot!.Frame);
    }

    [Fact]
    public void AWhereFilterAndARequestIdSelectWhatIsCounted()
    {
        var orders = new FakeRequest("o1", "GET /orders/1");
        var report = new FakeRequest("r1", "GET /report");
        RecordSet set = Read.Lines(
            Records.Header(),
            orders.Dump(1, "Main()", "Orders()"),
            orders.End(2100),
            report.Dump(1, "Main()", "Report()"),
            report.Same(2, 1),
            report.End(6000));

        Profile onlyOrders = Analyzer.Analyze(set, new AnalysisOptions { Where = RequestFilter.Parse("name~/orders") });
        Profile onlyReport = Analyzer.Analyze(set, new AnalysisOptions { RequestId = "r1" });
        Profile none = Analyzer.Analyze(set, new AnalysisOptions { Where = RequestFilter.Parse("duration>1h") });

        Assert.Equal((1L, "o1"), (onlyOrders.Samples, Assert.Single(onlyOrders.Requests).Request.Id));
        Assert.Null(onlyOrders.FindFrame("Report()"));
        Assert.Equal(2, onlyReport.Samples);
        Assert.Equal(0, none.Samples);
        Assert.Empty(none.Frames);
        Assert.Empty(none.Spots);
    }

    [Fact]
    public void AnalyzeRequestProfilesOneRequestOfOneProcess()
    {
        using var dir = new TempDirectory();
        var r = new FakeRequest("same-id");
        string a = dir.Write("a.jsonl", [Records.Header(pid: 1), r.Dump(1, "Main()", "A()")]);
        string b = dir.Write("b.jsonl", [Records.Header(pid: 2), r.Dump(1, "Main()", "B()"), r.Dump(2, "Main()", "B()")]);
        RecordSet set = RecordReader.ReadFiles([a, b]);

        Profile profile = Analyzer.AnalyzeRequest(set, set.Requests.Single(q => q.ProcessId == 2));

        Assert.Equal(2, profile.Samples);
        Assert.Null(profile.FindFrame("A()"));
    }

    [Fact]
    public void FoldedFramesBecomeLeavesAndTakeTheirCalleesSelfTime()
    {
        var r = new FakeRequest("a");
        RecordSet set = Read.Lines(
            Records.Header(),
            r.Dump(1, "Main()", "System.Linq.Enumerable.Sum(...)", "System.Linq.Enumerable+Iterator.MoveNext()", "Selector()"),
            r.Dump(2, "Main()", "System.Linq.Enumerable.Sum(...)", "System.Linq.Enumerable+Iterator.MoveNext()"));

        Profile profile = Analyzer.Analyze(set, new AnalysisOptions { Ignore = new IgnoreSet([IgnoreRule.Parse("fold:System.Linq.*")]) });

        Assert.Equal(2, profile.FindFrame("System.Linq.Enumerable.Sum(...)")!.Self);
        Assert.Null(profile.FindFrame("Selector()"));
        Assert.Equal("System.Linq.Enumerable.Sum(...)", Assert.Single(profile.Spots).Frame);
    }
}

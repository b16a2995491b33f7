using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Reading;

/// <summary>Format version 2: dumps refer to <c>stack</c> lines written once per file.</summary>
public sealed class FormatVersion2Tests
{
    [Fact]
    public void DumpsReadTheFramesOfTheStackLineTheyReferTo()
    {
        var r = new FakeRequest("0HN1");
        RecordSet set = Read.Lines(
            Records.Header(pid: 9, version: 2),
            Records.Stack(1, truncated: false, "Main()", "Loop()", "A()"),
            r.DumpOf(1, stack: 1),
            Records.Stack(2, truncated: true, "Main()", "Loop()", "B()"),
            r.DumpOf(2, stack: 2, DumpState.Waiting),
            r.DumpOf(3, stack: 1),
            r.Same(4, sameAs: 3),
            r.End(4600, dumps: 4));

        Request request = Assert.Single(set.Requests);
        Assert.Equal(4, request.Samples);
        Assert.Equal(new StateCounts(3, 1, 0), request.States);
        Assert.Equal(2, set.DistinctStacks);
        Assert.Equal(1, set.TruncatedStacks); // the flag travels with the stack line
        Assert.Equal(0, set.Skipped.Total);
        Assert.Equal(2, Assert.Single(set.Processes).FormatVersion);
        Assert.Empty(set.Warnings);

        Profile profile = Read.Analyze(set);
        Assert.Equal(3, profile.FindFrame("A()")!.Self);
        Assert.Equal(1, profile.FindFrame("B()")!.Self);
        Assert.Equal("Loop()", profile.Spots[0].Frame); // A → B → A → A: Loop() is the boundary of every pair but the last
    }

    [Fact]
    public void ADumpWhoseStackLineIsNotInItsFileIsAnOrphanAndReadingGoesOn()
    {
        using var dir = new TempDirectory();
        var r = new FakeRequest("0HN1");
        string first = dir.Write("statprof.1.jsonl", [Records.Header(pid: 7, version: 2), Records.Stack(1, false, "Main()", "A()"), r.DumpOf(1, stack: 1)]);

        // A rotated file must write again the stacks it uses: stack 1 of the first file does not count here.
        string second = dir.Write("statprof.2.jsonl", [Records.Header(pid: 7, continuation: true, version: 2), r.DumpOf(2, stack: 1), r.DumpOf(3, stack: 5), Records.Stack(1, false, "Main()", "A()"), r.DumpOf(4, stack: 1)]);

        RecordSet set = RecordReader.ReadFiles([first, second]);

        Request request = Assert.Single(set.Requests);
        Assert.Equal(2, request.Samples); // dumps 1 and 4
        Assert.Equal(2, set.Skipped.Orphan);
        Assert.Equal(2, set.Skipped.Total);
    }

    [Fact]
    public void ADumpWithBothAStackReferenceAndFramesIsMalformedAndAStackLineWithoutIdToo()
    {
        var r = new FakeRequest("0HN1");
        string both = r.DumpOf(1, stack: 1).TrimEnd('}') + ",\"frames\":[]}";
        RecordSet set = Read.Lines(
            Records.Header(version: 2),
            Records.Stack(1, false, "Main()"),
            both,
            Records.Stack(1, false, "Main()").Replace("\"id\":1,", string.Empty, StringComparison.Ordinal),
            r.DumpOf(2, stack: 1));

        Assert.Equal(2, set.Skipped.WrongShape);
        Assert.Equal(1, Assert.Single(set.Requests).Samples);
    }

    [Fact]
    public void Version1And2FilesReadAsOneSet()
    {
        using var dir = new TempDirectory();
        var old = new FakeRequest("old");
        var fresh = new FakeRequest("new");
        string v1 = dir.Write("a.jsonl", [Records.Header(pid: 1), old.Dump(1, "Main()", "A()"), old.Dump(2, "Main()", "A()")]);
        string v2 = dir.Write("b.jsonl", [Records.Header(pid: 2, version: 2), Records.Stack(3, false, "Main()", "A()"), fresh.DumpOf(1, stack: 3), fresh.DumpOf(2, stack: 3)]);

        RecordSet set = RecordReader.ReadFiles([v1, v2]);

        Assert.Equal(2, set.Requests.Count);
        Assert.Equal(4, set.Samples);
        Assert.Equal(1, set.DistinctStacks); // the same frames intern to the same stack whatever the version
        Assert.Equal(0, set.Skipped.Total);
    }
}

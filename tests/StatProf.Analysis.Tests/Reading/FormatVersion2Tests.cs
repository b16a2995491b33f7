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
        string both = r.DumpOf(1, stack: 1, requestLast: false).TrimEnd('}') + ",\"frames\":[]}";
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

    [Fact]
    public void ARequestObjectRepeatedAtTheEndOfItsDumpsReadsTheSameAsOneReadEveryTime()
    {
        string[] Lines(bool requestLast)
        {
            var a = new FakeRequest("a");
            var b = new FakeRequest("b", "GET /b", osThread: 99);
            return
            [
                Records.Header(version: 2),
                Records.Stack(1, false, "Main()", "Loop()", "A()"),
                Records.Stack(2, false, "Main()", "Loop()", "B()"),
                a.DumpOf(1, 1, requestLast: requestLast),
                b.DumpOf(1, 2, DumpState.Waiting, requestLast),
                a.DumpOf(2, 2, requestLast: requestLast),
                b.DumpOf(2, 2, DumpState.Waiting, requestLast),
                a.DumpOf(3, 1, requestLast: requestLast),
                a.End(3000, dumps: 3),
                b.DumpOf(3, 1, requestLast: requestLast), // after its request ended elsewhere: b is still open
                b.End(3100, dumps: 3),
            ];
        }

        RecordSet last = Read.Lines(Lines(requestLast: true));
        RecordSet middle = Read.Lines(Lines(requestLast: false));

        Assert.Equal(Summary(middle), Summary(last));
        Assert.Equal(["a:3:3000", "b:3:3100"], Summary(last));
        Assert.Equal(0, last.Skipped.Total);
        Assert.Equal(Read.Analyze(middle).Spots.Select(s => (s.Frame, s.Seconds)), Read.Analyze(last).Spots.Select(s => (s.Frame, s.Seconds)));

        static string[] Summary(RecordSet set) =>
            [.. set.Requests.Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{r.Id}:{r.Samples}:{r.DurationMs}"))];
    }

    [Fact]
    public void ARequestWhoseObjectChangesBetweenDumpsIsStillOneRequest()
    {
        var r = new FakeRequest("0HN1");
        string first = r.DumpOf(1, 1);
        r.Tags["tenant"] = "blue"; // a host that adds a tag mid-request: the object differs, the id does not
        RecordSet set = Read.Lines(Records.Header(version: 2), Records.Stack(1, false, "Main()"), first, r.DumpOf(2, 1), r.DumpOf(3, 1));

        Request request = Assert.Single(set.Requests);
        Assert.Equal(3, request.Samples);
        Assert.False(request.Tags.ContainsKey("tenant")); // the request keeps what its first record said
    }

    [Fact]
    public void ATruncatedCopyOfAKnownRequestObjectIsNotTakenForIt()
    {
        var r = new FakeRequest("0HN1");
        string second = r.DumpOf(2, 1);
        string cut = second[..^5] + "}"; // the object's last bytes are missing: no longer byte-identical
        RecordSet set = Read.Lines(Records.Header(version: 2), Records.Stack(1, false, "Main()"), r.DumpOf(1, 1), cut, r.DumpOf(3, 1));

        Assert.Equal(2, Assert.Single(set.Requests).Samples);
        Assert.Equal(1, set.Skipped.Malformed);
    }

    [Fact]
    public void AnImportedFileReadBeforeRecordFilesDoesNotShiftTheirRequests()
    {
        using var dir = new TempDirectory();
        string folded = dir.Write("a.folded", ["Main;Work 5"]);
        var r = new FakeRequest("0HN1");
        string records = dir.Write("b.jsonl", [Records.Header(version: 2), Records.Stack(1, false, "Main()", "A()"), r.DumpOf(1, 1), r.Same(2, sameAs: 1), r.DumpOf(3, 1), r.End(3000, dumps: 3)]);

        RecordSet set = RecordReader.ReadFiles([folded, records]);

        Assert.Equal(2, set.Requests.Count);
        Request request = set.Requests.Single(q => q.Id == "0HN1");
        Assert.Equal(3, request.Samples);
        Assert.True(request.Ended);
        Assert.Equal(5 + 3, set.Samples);
    }
}

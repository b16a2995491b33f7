using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using StatProf.Sampler.Records;
using Record = StatProf.Sampler.Records.Record; // not Xunit.Record
using static StatProf.Sampler.Tests.Records.RecordFiles;

namespace StatProf.Sampler.Tests.Records;

public sealed class RecordWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ConcurrentQueue<Exception> _errors = new();

    public void Dispose() => _temp.Dispose();

    private RecordFileSettings Settings(string? directory = null) => new() { Directory = directory ?? _temp.Combine("records") };

    private RecordWriter Writer(RecordFileSettings settings, TimeProvider? clock = null, Func<bool, HeaderRecord>? header = null) =>
        new(settings, header ?? (continuation => Header(continuation)), _errors.Enqueue, clock);

    private static List<JsonElement> Records(string path) =>
        CompleteLines(ReadShared(path)).Select(line => JsonDocument.Parse(line).RootElement).ToList();

    [Fact]
    public void AFileStartsWithAHeaderThenHoldsEveryRecordInOrderAndEveryLineMatchesTheSchema()
    {
        RecordFileSettings settings = Settings();
        Record[] records = [.. OneOfEach().Where(r => r is not HeaderRecord)];
        using (RecordWriter writer = Writer(settings))
        {
            Assert.All(records, r => Assert.True(writer.TryWrite(r)));
        }

        string file = Assert.Single(Files(settings.Directory));
        string text = ReadShared(file);
        List<string> lines = CompleteLines(text);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Equal(RecordJson.Serialize(Header()), lines[0]);
        // The dump's stack goes just before it, once, as a stack line the dump refers to by id.
        Assert.Equal(
            records.SelectMany(r => r is DumpRecord d
                ? new[] { RecordJson.Serialize(new StackRecord(d.Time, 1, d.Frames, d.Truncated)), RecordJson.Serialize(d with { StackId = 1 }) }
                : [RecordJson.Serialize(r)]),
            lines.Skip(1));
        Assert.All(lines, RecordSchema.Records.AssertValid);
        Assert.Empty(_errors);
    }

    [Fact]
    public void EachDistinctStackIsWrittenOnceAndDumpsReferToItById()
    {
        RecordFileSettings settings = Settings();
        using (RecordWriter writer = Writer(settings))
        {
            for (int i = 1; i <= 6; i++)
            {
                writer.TryWrite(Dump(dump: i, frames: i % 2 == 0 ? 4 : 3)); // two stacks, alternating
            }
        }

        List<JsonElement> records = Records(Assert.Single(Files(settings.Directory)));
        var stacks = records.Where(r => r.GetProperty("type").GetString() == "stack")
            .ToDictionary(r => r.GetProperty("id").GetInt64(), r => r.GetProperty("frames").GetArrayLength());
        Assert.Equal(2, stacks.Count);
        var dumps = records.Where(r => r.GetProperty("type").GetString() == "dump").ToList();
        Assert.Equal(6, dumps.Count);
        foreach (JsonElement dump in dumps)
        {
            int index = records.IndexOf(dump);
            long stack = dump.GetProperty("stack").GetInt64();
            int frames = dump.GetProperty("dump").GetInt32() % 2 == 0 ? 4 : 3;
            Assert.Equal(frames, stacks[stack]);
            Assert.Contains(records.Take(index), r => r.GetProperty("type").GetString() == "stack" && r.GetProperty("id").GetInt64() == stack);
        }
    }

    [Fact]
    public void FilesAreNamedByPrefixUtcTimeAndProcessId()
    {
        var clock = new ManualClock(T0.AddMilliseconds(123));
        RecordFileSettings settings = Settings() with { FilePrefix = "shop" };
        using RecordWriter writer = Writer(settings, clock);

        Assert.Null(writer.CurrentPath);
        writer.TryWrite(Same());
        WaitUntil(() => writer.Written == 1, "the record is written");

        Assert.Equal(Path.Combine(settings.Directory, $"shop-20261121-214000-123-{Environment.ProcessId}.jsonl"), writer.CurrentPath);
        Assert.Equal(FileName(T0.AddMilliseconds(123), "shop"), Path.GetFileName(writer.CurrentPath));
        Assert.Equal(1, writer.Files);
    }

    [Fact]
    public void RotationKeepsEveryFileUnderMaxFileBytesAndAllUnderMaxTotalBytesEachFileStartingWithAHeader()
    {
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096, MaxTotalBytes = 16 * 1024 };
        const int Count = 300;
        RecordWriter writer = Writer(settings);
        using (writer)
        {
            for (int i = 1; i <= Count; i++)
            {
                Assert.True(writer.TryWrite(Dump(dump: i)));
            }
        }

        string[] files = Files(settings.Directory);
        Assert.Equal(Count, writer.Written);
        Assert.Equal(0, writer.Dropped);
        Assert.True(writer.Files > files.Length, $"{writer.Files} files opened, {files.Length} kept: retention deleted none.");
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, settings.MaxFileBytes));
        Assert.InRange(files.Sum(f => new FileInfo(f).Length), 1, settings.MaxTotalBytes);

        // Kept files hold the newest records, without a gap, each file after its header.
        var dumps = new List<int>();
        foreach (string file in files)
        {
            List<JsonElement> records = Records(file);
            Assert.Equal("header", records[0].GetProperty("type").GetString());
            Assert.True(records[0].GetProperty("continuation").GetBoolean(), "the first file was deleted: every kept one continues it");
            // Every file stands alone: the stack its dumps refer to is written again in it, first.
            Assert.Equal("stack", records[1].GetProperty("type").GetString());
            long stack = records[1].GetProperty("id").GetInt64();
            Assert.All(records.Skip(2), r => Assert.Equal("dump", r.GetProperty("type").GetString()));
            Assert.All(records.Skip(2), r => Assert.Equal(stack, r.GetProperty("stack").GetInt64()));
            dumps.AddRange(records.Skip(2).Select(r => r.GetProperty("dump").GetInt32()));
        }

        Assert.Equal(Enumerable.Range(Count - dumps.Count + 1, dumps.Count), dumps);
        Assert.Equal(files[^1], writer.CurrentPath);
        Assert.Empty(_errors);
    }

    [Fact]
    public void OnlyTheFirstFileIsNotAContinuation()
    {
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096, MaxTotalBytes = 1024 * 1024 };
        using (RecordWriter writer = Writer(settings))
        {
            for (int i = 1; i <= 40; i++)
            {
                writer.TryWrite(Dump(dump: i));
            }
        }

        string[] files = Files(settings.Directory);
        Assert.True(files.Length > 2);
        Assert.Equal(
            files.Select((_, i) => i > 0),
            files.Select(f => Records(f)[0].GetProperty("continuation").GetBoolean()));
    }

    [Fact]
    public void RetentionDeletesTheOldestFilesOfEarlierRunsFirst()
    {
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096, MaxTotalBytes = 3 * 4096 };
        Directory.CreateDirectory(settings.Directory);
        string[] earlier = ["statprof-20200101-000000-000-1.jsonl", "statprof-20200101-000000-001-2.jsonl", "statprof-20210101-000000-000-1.jsonl"];
        foreach (string name in earlier)
        {
            File.WriteAllText(Path.Combine(settings.Directory, name), new string('x', 4999) + "\n");
        }

        using (RecordWriter writer = Writer(settings))
        {
            writer.TryWrite(Same());
        }

        // 3 × 5000 bytes + a full current file (4096) > 12288, and so are 2 × 5000 + 4096: the two
        // oldest go (ordered by the time in their names, not by process id), the newest stays.
        string[] kept = Files(settings.Directory).Select(f => Path.GetFileName(f)).ToArray();
        Assert.Equal(2, kept.Length);
        Assert.Equal(earlier[2], kept[0]);
        Assert.DoesNotContain(kept[1], earlier);
    }

    [UnixFact]
    public void RetentionNeverDeletesSymlinksNorFilesOfAnotherPattern()
    {
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096, MaxTotalBytes = 4096 };
        Directory.CreateDirectory(settings.Directory);
        string target = _temp.Combine("precious.txt");
        File.WriteAllText(target, "precious");
        string link = Path.Combine(settings.Directory, "statprof-20000101-000000-000-1.jsonl");
        File.CreateSymbolicLink(link, target);
        string[] others = ["statprof-notes.jsonl", "statprofx-20000101-000000-000-1.jsonl", "other-20000101-000000-000-1.jsonl", "statprof-20000101-000000-000-1.jsonl.bak"];
        foreach (string name in others)
        {
            File.WriteAllText(Path.Combine(settings.Directory, name), new string('x', 5000));
        }

        using (RecordWriter writer = Writer(settings))
        {
            for (int i = 1; i <= 40; i++)
            {
                writer.TryWrite(Dump(dump: i));
            }
        }

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("precious", File.ReadAllText(target));
        Assert.All(others, name => Assert.True(File.Exists(Path.Combine(settings.Directory, name)), name));
        Assert.Single(Files(settings.Directory)); // MaxTotalBytes == MaxFileBytes keeps the current file only
    }

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public void FilesAreOwnerReadWriteOnlyAndACreatedDirectoryIsOwnerOnly()
    {
        RecordFileSettings settings = Settings(_temp.Combine("new", "records"));
        using RecordWriter writer = Writer(settings);

        writer.TryWrite(Same());
        WaitUntil(() => writer.Written == 1, "the record is written");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(writer.CurrentPath!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(settings.Directory));
    }

    [UnixFact]
    public void APlantedSymlinkAtTheNextFileNameIsNotFollowed()
    {
        var clock = new ManualClock(T0);
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096 };
        Directory.CreateDirectory(settings.Directory);
        string target = _temp.Combine("victim.txt");
        File.WriteAllText(target, "untouched");
        string planted = Path.Combine(settings.Directory, FileName(T0.AddMilliseconds(1)));
        File.CreateSymbolicLink(planted, target);

        RecordWriter writer = Writer(settings, clock);
        using (writer)
        {
            for (int i = 1; i <= 20; i++)
            {
                writer.TryWrite(Dump(dump: i));
            }
        }

        Assert.Equal("untouched", File.ReadAllText(target));
        Assert.Equal(target, new FileInfo(planted).LinkTarget);
        Assert.Equal(20, writer.Written);
        Assert.Equal(0, writer.Dropped);
        IOException refused = Assert.IsType<IOException>(Assert.Single(_errors), exactMatch: false);
        Assert.Contains(Path.GetFileName(planted), refused.Message, StringComparison.Ordinal);
        string[] names = Files(settings.Directory).Select(f => Path.GetFileName(f)).ToArray();
        Assert.Equal(FileName(T0), names[0]);
        Assert.Equal(FileName(T0.AddMilliseconds(2)), names[1]);
    }

    [UnixFact]
    public void WhenBothNamesAreTakenTheRecordIsDroppedAndCountedAndTheNextOneOpensAFile()
    {
        var clock = new ManualClock(T0);
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096 };
        Directory.CreateDirectory(settings.Directory);
        string target = _temp.Combine("victim.txt");
        File.WriteAllText(target, "untouched");
        File.CreateSymbolicLink(Path.Combine(settings.Directory, FileName(T0)), target);
        File.CreateSymbolicLink(Path.Combine(settings.Directory, FileName(T0.AddMilliseconds(1))), target);

        using RecordWriter writer = Writer(settings, clock);
        writer.TryWrite(Same(dump: 2));
        writer.TryWrite(Same(dump: 3));
        WaitUntil(() => writer.Written + writer.Dropped == 2, "both records are handled");

        Assert.Equal(1, writer.Dropped);
        Assert.Equal(1, writer.Written);
        Assert.Equal(FileName(T0.AddMilliseconds(2)), Path.GetFileName(writer.CurrentPath));
        Assert.Equal(3, Records(writer.CurrentPath!)[1].GetProperty("dump").GetInt32());
        Assert.Equal("untouched", File.ReadAllText(target));
        Assert.Single(_errors); // reported once for the kind, not per name nor per record
    }

    [Fact]
    public void AFullQueueDropsAndCountsRecordsWithoutBlockingTheCaller()
    {
        using var gate = new ManualResetEventSlim(false);
        RecordFileSettings settings = Settings() with { QueueCapacity = 4 };
        RecordWriter writer = Writer(settings, header: continuation =>
        {
            gate.Wait(); // the writer's thread is stuck opening its first file: the drain is slow
            return Header(continuation);
        });
        int accepted = 0;
        try
        {
            var caller = Stopwatch.StartNew();
            for (int i = 1; i <= 100; i++)
            {
                accepted += writer.TryWrite(Dump(dump: i)) ? 1 : 0;
            }

            Assert.True(caller.Elapsed < TimeSpan.FromSeconds(10), $"TryWrite blocked: {caller.Elapsed}"); // it would block until the gate opens: for ever
            Assert.InRange(accepted, 4, 5); // the queue, plus the record the thread took before it got stuck
            Assert.Equal(100 - accepted, writer.Dropped);
        }
        finally
        {
            gate.Set();
            writer.Dispose();
        }

        Assert.Equal(accepted, writer.Written);
        Assert.Equal(100 - accepted, writer.Dropped);
        Assert.Equal(accepted + 2, CompleteLines(ReadShared(writer.CurrentPath!)).Count); // header, stack, dumps
    }

    [Fact]
    public void DisposeWritesEveryQueuedRecordBeforeClosingTheFile()
    {
        RecordWriter writer = Writer(Settings());
        for (int i = 1; i <= 1000; i++)
        {
            Assert.True(writer.TryWrite(Dump(dump: i)));
        }

        writer.Dispose();

        Assert.Equal(1000, writer.Written);
        List<JsonElement> records = Records(writer.CurrentPath!);
        Assert.Equal(1002, records.Count); // header, stack, dumps
        Assert.Equal(1000, records[^1].GetProperty("dump").GetInt32());
        using var exclusive = new FileStream(writer.CurrentPath!, FileMode.Open, FileAccess.ReadWrite, FileShare.None); // closed: nobody holds it
    }

    [Fact]
    public void DisposeReturnsWithinItsBoundAndLaterRecordsAreDroppedAndCounted()
    {
        using var gate = new ManualResetEventSlim(false);
        using var stuck = new ManualResetEventSlim(false);
        RecordFileSettings settings = Settings() with { DisposeTimeout = TimeSpan.FromMilliseconds(300) };
        RecordWriter writer = Writer(settings, header: continuation =>
        {
            stuck.Set();
            gate.Wait(); // a disk that hangs
            return Header(continuation);
        });
        try
        {
            for (int i = 1; i <= 10; i++)
            {
                Assert.True(writer.TryWrite(Dump(dump: i)));
            }

            Assert.True(stuck.Wait(TimeSpan.FromSeconds(10)), "the writer's thread took the first record");
            var disposing = Stopwatch.StartNew();
            writer.Dispose();
            disposing.Stop();

            Assert.InRange(disposing.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10)); // bounded: the disk never answers
            Assert.False(writer.TryWrite(Same()));
            Assert.Equal(1, writer.Dropped);
            writer.Dispose(); // twice is harmless
        }
        finally
        {
            gate.Set();
        }

        // The thread finishes the record it was writing, drops the 9 still queued, closes the file.
        WaitUntil(() => writer.Written + writer.Dropped == 11, "the abandoned records are counted");
        Assert.Equal(1, writer.Written);
        Assert.Equal(10, writer.Dropped);
    }

    [Fact]
    public void ACrashLosesAtMostTheRecordBeingWritten()
    {
        const int Count = 200;
        using RecordWriter writer = Writer(Settings());
        for (int i = 1; i <= Count; i++)
        {
            writer.TryWrite(Dump(dump: i));
        }

        // No Dispose: as if the process died now. What was written is with the OS already.
        WaitUntil(() => writer.Written == Count, "every record is written");
        string text = ReadShared(writer.CurrentPath!);

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        List<string> lines = CompleteLines(text);
        Assert.Equal(Count + 2, lines.Count); // header, stack, dumps
        Assert.All(lines, RecordSchema.Records.AssertValid);
    }

    [Fact]
    public void AFileCutInTheMiddleOfALineLosesOnlyThatLineForAReaderThatSkipsIt()
    {
        string path;
        using (RecordWriter writer = Writer(Settings()))
        {
            for (int i = 1; i <= 5; i++)
            {
                writer.TryWrite(Dump(dump: i));
            }

            writer.Dispose();
            path = writer.CurrentPath!;
        }

        long full = new FileInfo(path).Length;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(full - 40); // a crash in the middle of the last record
        }

        string text = ReadShared(path);
        List<string> lines = CompleteLines(text);
        Assert.False(text.EndsWith('\n'));
        Assert.Equal(6, lines.Count); // the header, the stack and dumps 1 to 4
        Assert.All(lines, RecordSchema.Records.AssertValid);
        Assert.Equal(4, JsonDocument.Parse(lines[^1]).RootElement.GetProperty("dump").GetInt32());
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text[(text.LastIndexOf('\n') + 1)..]));
    }

    [Fact]
    public void ARecordLargerThanAFileIsDroppedCountedAndReportedOnce()
    {
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096 };
        using RecordWriter writer = Writer(settings);

        writer.TryWrite(Dump(dump: 1, frames: 60, nameLength: 100));
        writer.TryWrite(Dump(dump: 2, frames: 60, nameLength: 100));
        writer.TryWrite(Same(dump: 3));
        WaitUntil(() => writer.Written + writer.Dropped == 3, "the records are handled");

        Assert.Equal(2, writer.Dropped);
        Assert.Equal(1, writer.Written);
        Assert.Contains("does not fit", Assert.Single(_errors).Message, StringComparison.Ordinal);
        Assert.Equal(1, writer.Files);
    }

    [Fact]
    public void ARecordLargerThanAFileDoesNotRotateTheCurrentFile()
    {
        RecordFileSettings settings = Settings() with { MaxFileBytes = 4096 };
        using RecordWriter writer = Writer(settings);

        writer.TryWrite(Same(dump: 2));
        writer.TryWrite(Dump(dump: 3, frames: 60, nameLength: 100));
        writer.TryWrite(Same(dump: 4));
        WaitUntil(() => writer.Written + writer.Dropped == 3, "the records are handled");

        Assert.Equal(1, writer.Dropped);
        Assert.Equal(1, writer.Files);
        Assert.Equal([2, 4], Records(writer.CurrentPath!).Skip(1).Select(r => r.GetProperty("dump").GetInt32()));
    }

    [Fact]
    public void AnUnwritableDirectoryDropsRecordsReportsOnceAndTheWriterRecoversWhenItIsFixed()
    {
        string blocker = _temp.Combine("blocker");
        File.WriteAllText(blocker, "a file where the directory should be");
        var calls = 0;
        using var writer = new RecordWriter(
            Settings(Path.Combine(blocker, "records")),
            continuation => Header(continuation),
            e =>
            {
                _errors.Enqueue(e);
                Interlocked.Increment(ref calls);
                throw new InvalidOperationException("a careless error callback");
            });

        for (int i = 1; i <= 5; i++)
        {
            writer.TryWrite(Same(dump: i + 1));
        }

        WaitUntil(() => writer.Dropped == 5, "the records are dropped");
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(0, writer.Files);

        File.Delete(blocker);
        writer.TryWrite(Same(dump: 7));
        WaitUntil(() => writer.Written == 1, "the writer recovers");
        Assert.Equal(1, writer.Files);
        Assert.False(Records(writer.CurrentPath!)[0].GetProperty("continuation").GetBoolean());
    }

    [Fact]
    public void AFailingHeaderFactoryDropsTheRecordAndTheNextRecordOpensTheFile()
    {
        int headers = 0;
        using RecordWriter writer = Writer(Settings(), header: continuation =>
            Interlocked.Increment(ref headers) == 1 ? throw new InvalidOperationException("no header yet") : Header(continuation));

        writer.TryWrite(Same(dump: 2));
        writer.TryWrite(Same(dump: 3));
        WaitUntil(() => writer.Written + writer.Dropped == 2, "both records are handled");

        Assert.Equal(1, writer.Dropped);
        Assert.Equal(1, writer.Written);
        Assert.Equal("no header yet", Assert.Single(_errors).Message);
        Assert.False(Records(writer.CurrentPath!)[0].GetProperty("continuation").GetBoolean());
    }

    [Fact]
    public void ANullRecordIsDroppedAndCountedNotThrown()
    {
        using RecordWriter writer = Writer(Settings());

        Assert.False(writer.TryWrite(null!));
        Assert.Equal(1, writer.Dropped);
    }
}

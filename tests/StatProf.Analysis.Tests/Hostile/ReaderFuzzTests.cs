using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Hostile;

/// <summary>
/// Property-based fuzzing (FsCheck) of the record line parser and the folded-stacks importer, for a
/// bounded time (<c>STATPROF_FUZZ_SECONDS</c>, 12 s per reader by default): whatever the bytes, no
/// exception escapes, every line is accounted for (used, skipped by reason, or blank), and the set
/// read can be analysed and written in every report format.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ReaderFuzzTests
{
    private static TimeSpan Budget =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("STATPROF_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 12);

    private static readonly FakeRequest Request = new("a", "GET /orders/42?token=x") { };

    private static readonly string[] ValidRecordLines =
    [
        Records.Header(),
        Records.Header(version: 2, continuation: true),
        Records.Stack(7, false, "Shop.Program.Main()", "Shop.Orders.Price(int)", "<>c__DisplayClass0_0.<Main>b__0()"),
        Request.Dump(1, "Main()", "A()"),
        Request.DumpOf(2, 7),
        Request.Same(3, 2),
        Request.End(3000),
        Records.Stats(recordsDropped: 2),
    ];

    private static readonly string[] ValidFoldedLines =
    [
        "Main;Orders.Price;Math.Sqrt 12",
        "Main;Orders.Load 3",
        "a;;b\t1",
        "<Main>$;<>c.<Run>b__0 99999",
    ];

    /// <summary>Lines: valid ones, mutated ones, deep or odd JSON, and random bytes; never a newline inside a line.</summary>
    private static Gen<byte[]> Line(string[] valid)
    {
        Gen<byte[]> validLine = Gen.Elements(valid).Select(Encoding.UTF8.GetBytes);
        Gen<byte[]> mutated = validLine.SelectMany(line => Gen.ArrayOf(Gen.Zip(Gen.Choose(0, Math.Max(0, line.Length - 1)), Gen.Choose(0, 255)))
            .Select(edits =>
            {
                byte[] copy = (byte[])line.Clone();
                foreach (var (at, value) in edits)
                {
                    if (copy.Length > 0)
                    {
                        copy[at % copy.Length] = (byte)value;
                    }
                }

                return copy;
            }));
        Gen<byte[]> truncated = validLine.SelectMany(line => Gen.Choose(0, line.Length).Select(n => line[..n]));
        Gen<byte[]> nested = Gen.Zip(Gen.Choose(1, 400), Gen.Elements("[", "{\"a\":", "{\"type\":\"dump\",\"request\":"))
            .Select(t => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(t.Item2, t.Item1))));
        Gen<byte[]> wrongTypes = Gen.Elements(
            "{\"type\":7}", "{\"type\":\"dump\",\"time\":[],\"request\":\"x\"}", "{\"type\":\"stack\",\"id\":\"seven\",\"frames\":{}}",
            "{\"type\":\"dump\",\"stack\":-1,\"elapsedMs\":\"NaN\"}", "{\"type\":\"end\",\"requestId\":null,\"elapsedMs\":1e999}",
            "{\"type\":\"same\",\"dump\":99999999999999999999}", "{\"type\":\"header\",\"version\":-3,\"process\":{\"pid\":\"x\"}}",
            "null", "[]", "\"\"", "{}", "{\"type\":\"header\"}{\"type\":\"header\"}", "\uFEFF{\"type\":\"stats\"}")
            .Select(Encoding.UTF8.GetBytes);
        Gen<byte[]> garbage = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        return Gen.Frequency(
            (3, validLine), (4, mutated), (2, truncated), (1, nested), (2, wrongTypes), (2, garbage))
            .Select(line => line.Select(b => b == (byte)'\n' ? (byte)' ' : b).ToArray());
    }

    private static Gen<byte[]> Input(string[] valid) =>
        Gen.ListOf(Line(valid)).Select(lines =>
        {
            var bytes = new MemoryStream();
            foreach (byte[] line in lines)
            {
                bytes.Write(line);
                bytes.WriteByte((byte)'\n');
            }

            return bytes.ToArray();
        });

    private static int LineCount(byte[] bytes) => bytes.Count(b => b == (byte)'\n');

    private static int BlankLines(byte[] bytes) =>
        Encoding.Latin1.GetString(bytes).Split('\n').SkipLast(1).Count(l => l.Trim(' ', '\t', '\r').Length == 0);

    /// <summary>Runs the property in batches until the time budget is spent; returns the inputs tried.</summary>
    private static int RunFor(Gen<byte[]> inputs, Func<byte[], bool> property)
    {
        var clock = Stopwatch.StartNew();
        int tried = 0;
        while (clock.Elapsed < Budget)
        {
            Prop.ForAll(inputs.ToArbitrary(), bytes =>
            {
                tried++;
                return property(bytes);
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true));
        }

        return tried;
    }

    private static void WriteEveryFormat(RecordSet set)
    {
        Profile profile = Analyzer.Analyze(set, new AnalysisOptions());
        ReportWriter.WriteText(profile, TextWriter.Null);
        ReportWriter.WriteJson(profile, TextWriter.Null);
        ReportWriter.WriteHtml(profile, Stream.Null);
        ExportWriter.WriteFolded(profile, TextWriter.Null);
        ExportWriter.WriteSpeedscope(profile, TextWriter.Null);
        ExportWriter.WritePprof(profile, Stream.Null);
    }

    [Fact]
    public void RecordParserNeverThrowsAndAccountsForEveryLine()
    {
        int tried = RunFor(Input(ValidRecordLines), bytes =>
        {
            var reader = new RecordReader();
            reader.Read(new MemoryStream(bytes), "fuzz.jsonl");
            RecordSet set = reader.Complete();
            RecordSource source = Assert.Single(set.Sources);
            WriteEveryFormat(set);
            return source.Lines == LineCount(bytes)
                && source.Lines == source.Records + source.Skipped.Total + BlankLines(bytes);
        });

        Assert.True(tried >= 100, $"only {tried} inputs tried");
    }

    [Fact]
    public void FoldedImporterNeverThrowsAndAccountsForEveryLine()
    {
        int tried = RunFor(Input(ValidFoldedLines), bytes =>
        {
            var reader = new RecordReader();
            reader.ReadFolded(new MemoryStream(bytes), "fuzz.folded");
            RecordSet set = reader.Complete();
            RecordSource source = Assert.Single(set.Sources);
            WriteEveryFormat(set);
            return source.Lines == LineCount(bytes)
                && source.Lines == source.Records + source.Skipped.Total + BlankLines(bytes);
        });

        Assert.True(tried >= 100, $"only {tried} inputs tried");
    }
}

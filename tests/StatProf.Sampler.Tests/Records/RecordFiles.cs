using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StatProf.Sampler.Records;
using Record = StatProf.Sampler.Records.Record; // not Xunit.Record

namespace StatProf.Sampler.Tests.Records;

/// <summary>Sample records, a temporary directory, a settable clock and file helpers for the record tests.</summary>
internal static class RecordFiles
{
    public static readonly DateTime T0 = new(2026, 11, 21, 21, 40, 0, DateTimeKind.Utc);

    public static RequestInfo Request(string id = "0HN1") => new(
        id,
        "http",
        "GET /orders/42?token=REDACTED",
        T0.AddTicks(1_234_567),
        "4bf92f3577b34da6a3ce929d0e0e4736",
        [new("User-Agent", "curl/8"), new("Authorization", "REDACTED")]);

    public static HeaderRecord Header(bool continuation = false) =>
        new(T0, 123, "ShopDemo", ".NET 10.0.12", 2000, 1000, continuation);

    public static DumpRecord Dump(int dump = 1, int frames = 3, string id = "0HN1", int nameLength = 0)
    {
        var stack = new FrameRecord[frames];
        for (int i = 0; i < frames; i++)
        {
            string name = i == 0 ? "Root()" : i == frames - 1 ? "Leaf()" : $"Caller{i}()";
            stack[i] = new FrameRecord(name.PadRight(Math.Max(nameLength, name.Length), 'x'), "m");
        }

        return new DumpRecord(T0.AddSeconds(dump + 1), Request(id), 2001.5 + (1000 * (dump - 1)), dump, new ThreadRef(1234, 7), DumpState.Running, stack, false);
    }

    public static SameRecord Same(int dump = 2) =>
        new(T0.AddSeconds(dump + 1), "0HN1", 3001.2, dump, new ThreadRef(1234, 7), DumpState.Waiting, 1);

    public static EndRecord End(int? status = 200, string? error = null) =>
        new(T0.AddSeconds(4), Request(), 3400.2, 3, error is null ? "ok" : "error", status, error);

    public static StatsRecord Stats() => new(
        T0.AddSeconds(5),
        new SamplerCounters
        {
            Ticks = 1, SamplesSeen = 2, SamplesKept = 3, SamplesFilteredOut = 4, DroppedByOverflow = 5, LostByRuntime = 6,
            TruncatedStacks = 7, StackTableFull = 8, Trims = 9, Sessions = 10, Faults = 11,
        },
        12,
        13,
        14,
        15);

    /// <summary>One of each record type.</summary>
    public static IEnumerable<Record> OneOfEach() => [Header(), Dump(), Same(), End(), End(null, "System.InvalidOperationException"), Stats()];

    /// <summary>The name a writer gives a file opened at <paramref name="time"/>.</summary>
    public static string FileName(DateTime time, string prefix = "statprof") =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{time:yyyyMMdd-HHmmss-fff}-{Environment.ProcessId}.jsonl");

    /// <summary>A file's text, read while a writer may still hold it open.</summary>
    public static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The complete lines of a record file, the way a reader must take them: every line ends with
    /// '\n'; a last line without it is a record cut by a crash, and is skipped.
    /// </summary>
    public static List<string> CompleteLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        for (int newline = text.IndexOf('\n', start); newline >= 0; newline = text.IndexOf('\n', start))
        {
            lines.Add(text[start..newline]);
            start = newline + 1;
        }

        return lines;
    }

    /// <summary>The record files in a directory, oldest (by name) first.</summary>
    public static string[] Files(string directory, string prefix = "statprof") =>
        Directory.GetFiles(directory, prefix + "-*.jsonl")
            .Where(f => new FileInfo(f).LinkTarget is null
                && Regex.IsMatch(Path.GetFileName(f), "^" + Regex.Escape(prefix) + @"-\d{8}-\d{6}-\d{3}-\d+\.jsonl$"))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Waits (polling) until <paramref name="condition"/> holds; fails after <paramref name="seconds"/>.</summary>
    public static void WaitUntil(Func<bool> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            Thread.Sleep(5);
        }
    }
}

/// <summary>A directory under the temp directory, deleted at the end of a test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "statprof-records-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a writer thread left running by a failed test may still hold a file.
        }
    }
}

/// <summary>A clock that stands still until a test moves it: file names become predictable.</summary>
internal sealed class ManualClock(DateTime utcNow) : TimeProvider
{
    public DateTime UtcNow { get; set; } = utcNow;

    public override DateTimeOffset GetUtcNow() => new(UtcNow);
}

/// <summary>A fact for Unix only (file modes, symbolic links): skipped on Windows.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix file modes and symbolic links only.";
        }
    }
}

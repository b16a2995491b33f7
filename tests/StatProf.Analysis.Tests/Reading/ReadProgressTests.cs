using System.IO.Compression;
using System.Text;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Reading;

public sealed class ReadProgressTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ProgressCountsFileBytesAcrossFilesUpToTheirTotal()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 100_000; i++)
        {
            text.Append("main;serve;leaf").Append(i % 7).Append(" 1\n");
        }

        string first = _dir.WriteText("a.folded", text.ToString());
        string second = _dir.File("b.folded.gz");
        using (var gzip = new GZipStream(File.Create(second), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }

        var reports = new List<long>();
        var reader = new RecordReader(new RecordReaderOptions { Progress = new Recorder(reports) });
        reader.ReadFile(first);
        reader.ReadFile(second);
        RecordSet set = reader.Complete();

        long total = new FileInfo(first).Length + new FileInfo(second).Length;
        Assert.Equal(200_000, set.Samples);
        Assert.True(reports.Count >= 3, $"{reports.Count} reports");
        Assert.Equal(reports.Order(), reports);
        Assert.Equal(new FileInfo(first).Length, reports.First(r => r >= new FileInfo(first).Length));
        Assert.Equal(total, reports[^1]);
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}

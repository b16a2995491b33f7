using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Text.Json;
using Microsoft.Diagnostics.NETCore.Client;
using StatProf.Analysis.NetTrace;
using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Formats;

/// <summary>
/// .nettrace import on a real capture: samples/SamplingProbe runs a spinning and a sleeping thread
/// (without StatProf's sampler) as a child process, and the test records it as dotnet-trace does: an
/// EventPipe session with the SampleProfiler provider and a rundown, its stream copied to a file.
/// </summary>
public sealed class NetTraceImportTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ReportCli _cli = new();

    public void Dispose()
    {
        _dir.Dispose();
        _cli.Dispose();
    }

    [Fact]
    public async Task ACaptureOfARealProcessShowsItsHotMethodPerThreadWithSpots()
    {
        string capture = await CaptureProbeAsync(_dir.File("probe.nettrace"), TimeSpan.FromSeconds(2));

        var reader = new RecordReader();
        Assert.True(NetTraceReader.IsNetTrace(capture));
        NetTraceReader.Read(reader, capture);
        RecordSet set = reader.Complete();

        Assert.True(set.Samples > 100, $"{set.Samples} samples");
        Assert.All(set.Requests, r => Assert.Matches(@"^thread \d+$", r.Name));
        Request spinner = set.Requests.Single(r => Analyzer.AnalyzeRequest(set, r).Frames.Any(f => f.Name.StartsWith("Workload.Burn", StringComparison.Ordinal)));
        Profile spin = Analyzer.AnalyzeRequest(set, spinner);
        FrameStat burn = spin.Frames.First(f => f.Name.StartsWith("Workload.Burn", StringComparison.Ordinal));
        Assert.True(burn.TotalShare.Value > 0.8, $"Burn total share {burn.TotalShare.Value:P0} of {spin.Samples} samples");
        Assert.True(spinner.States.Running > 0.8 * spinner.Samples, $"{spinner.States.Running} running of {spinner.Samples}");
        Assert.NotEmpty(spin.Spots);
        Assert.True(spin.Boundary.Seconds > 1, $"{spin.Boundary.Seconds} s credited"); // samples are in time order: transitions exist

        Request sleeper = set.Requests.Single(r => Analyzer.AnalyzeRequest(set, r).Frames.Any(f => f.Name.StartsWith("Workload.Sleep", StringComparison.Ordinal)));
        Assert.True(sleeper.States.Waiting > 0.8 * sleeper.Samples, $"{sleeper.States.Waiting} waiting of {sleeper.Samples}");
    }

    [Fact]
    public async Task TheReportReadsACaptureByItsContentWhateverItsName()
    {
        string capture = await CaptureProbeAsync(_dir.File("capture.bin"), TimeSpan.FromSeconds(1));

        int exit = _cli.Report(capture, "--format", "json");

        Assert.True(exit == 0, _cli.Stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(_cli.Stdout.ToString());
        Assert.True(json.RootElement.GetProperty("samples").GetInt64() > 20);
        Assert.Contains(
            json.RootElement.GetProperty("frames").EnumerateArray(),
            f => f.GetProperty("name").GetString()!.StartsWith("Workload.Burn", StringComparison.Ordinal));
        Assert.Contains(json.RootElement.GetProperty("spots").EnumerateArray(), s => s.GetProperty("seconds").GetDouble() > 0);
    }

    [Fact]
    public async Task ACaptureWithoutThreadSamplesSaysWhatItLacks()
    {
        string capture = await CaptureProbeAsync(_dir.File("no-samples.nettrace"), TimeSpan.FromSeconds(0.5), withSampleProfiler: false);

        var reader = new RecordReader();
        NetTraceReader.Read(reader, capture);
        RecordSet set = reader.Complete();

        Assert.Equal(0, set.Samples);
        Assert.Empty(set.Requests);
        Assert.Contains(set.Warnings, w => w.Contains("no Microsoft-DotNETCore-SampleProfiler thread samples", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRecordReaderAloneSaysACaptureNeedsTheNetTraceReader()
    {
        string capture = await CaptureProbeAsync(_dir.File("alone.nettrace"), TimeSpan.FromSeconds(0.5));

        RecordSet set = RecordReader.ReadFiles([capture]);

        Assert.Equal(0, set.Samples);
        Assert.Contains(set.Warnings, w => w.Contains("a .nettrace capture, not a record file", StringComparison.Ordinal));
    }

    [Fact]
    public void ABrokenCaptureIsOneLineAndExitCodeThree()
    {
        string broken = _dir.WriteText("broken.nettrace", "Nettrace\u0014!FastSerialization.1 but then nothing sensible");

        int exit = _cli.Report(broken);

        Assert.Equal(3, exit);
        Assert.Single(_cli.Stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("broken.nettrace", _cli.Stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Records the probe's workload for a while, as <c>dotnet-trace collect</c> does.</summary>
    private static async Task<string> CaptureProbeAsync(string path, TimeSpan duration, bool withSampleProfiler = true)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ProbePath);
        start.ArgumentList.Add((duration.TotalSeconds + 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--workload-only");
        using Process probe = Process.Start(start)!;
        try
        {
            Assert.Equal("ready", await probe.StandardOutput.ReadLineAsync());
            var client = new DiagnosticsClient(probe.Id);
            var providers = new List<EventPipeProvider>
            {
                new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x18), // Loader | Jit: names of methods jitted meanwhile
            };
            if (withSampleProfiler)
            {
                providers.Add(new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational));
            }

            using EventPipeSession session = client.StartEventPipeSession(providers, requestRundown: true);
            await using (FileStream file = File.Create(path))
            {
                Task copy = session.EventStream.CopyToAsync(file);
                await Task.Delay(duration);
                await session.StopAsync(CancellationToken.None); // the stream is being read: Stop can flush (diagnostics#5628)
                await copy.WaitAsync(TimeSpan.FromSeconds(30));
            }

            return path;
        }
        finally
        {
            probe.Kill();
            await probe.WaitForExitAsync();
        }
    }

    private static string ProbePath
    {
        get
        {
            // tests/StatProf.Analysis.Tests/bin/<Configuration>/net10.0/ → samples/SamplingProbe/bin/<Configuration>/net10.0/
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string path = Path.Combine(RepoPaths.Root, "samples", "SamplingProbe", "bin", here.Parent!.Name, here.Name, "SamplingProbe.dll");
            Assert.True(File.Exists(path), $"missing {path}");
            return path;
        }
    }
}

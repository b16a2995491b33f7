using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace StatProf.Sampler.Tests.Reliability;

/// <summary>
/// Runs tests/Targets/SoakTarget (LongRequestLogger in continuous mode, thousands of distinct
/// stacks, threads created and ending, rotating record files) as a real child process and checks
/// that its memory, threads and file descriptors plateau after warm-up.
/// </summary>
/// <remarks>
/// Two minutes by default (CI); <c>STATPROF_SOAK_MINUTES=30</c> runs the long form
/// (<c>dotnet test tests/StatProf.Sampler.Tests -c Release --filter Category=Soak</c>).
/// The tolerances are loose on purpose: a loaded machine must pass them, while a leak of
/// the kind this guards against (a TraceLog that is never trimmed, a cache that never drops)
/// grows by tens of MB over the run. docs/reliability.md has the measured figures.
/// </remarks>
[Collection(RealSampling.Name)]
[Trait("Category", "Soak")]
public sealed class SoakTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-soak-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string SoakTargetDll
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = here.Parent!.Name;
            string root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "tests", "Targets", "SoakTarget", "bin", configuration, here.Name, "SoakTarget.dll");
        }
    }

    private static double Minutes =>
        double.TryParse(Environment.GetEnvironmentVariable("STATPROF_SOAK_MINUTES"), NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m > 0 ? m : 2;

    private sealed record Reading(double Seconds, long ManagedBytes, long RssBytes, int Threads, int Fds, long Stacks, long Requests, long Written, long Dropped, long Faults, long FilesBytes, bool Done);

    [Fact]
    public async Task MemoryThreadsAndFilesPlateauUnderDiverseStacksAndThreadChurn()
    {
        double minutes = Minutes;
        double reportSeconds = Math.Max(5, minutes * 60 / 40);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(SoakTargetDll);
        start.ArgumentList.Add(minutes.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(_directory);
        start.ArgumentList.Add(reportSeconds.ToString(CultureInfo.InvariantCulture));

        var readings = new List<Reading>();
        using (var process = Process.Start(start)!)
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            try
            {
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
                {
                    readings.Add(Parse(line));
                }

                Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the soak target ended");
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            string errors = await stderr;
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {errors}");
            Assert.Equal(string.Empty, errors);
        }

        Reading last = readings[^1];
        Assert.True(last.Done, "the last reading is the final one");
        Assert.True(readings.Count >= 6, $"{readings.Count} readings");

        // The workload did what a soak needs: thousands of distinct stacks, requests recorded, files rotated.
        Assert.True(last.Stacks >= 1000, $"only {last.Stacks} distinct stacks");
        Assert.True(last.Written > 1000, $"only {last.Written} records written");
        Assert.Equal(0, last.Faults);
        Assert.True(last.Dropped <= last.Written / 100, $"{last.Dropped} records dropped of {last.Written}");
        Assert.All(readings, r => Assert.True(r.FilesBytes <= 4L << 20, $"record files took {r.FilesBytes} bytes at {r.Seconds} s, over the 4 MiB cap"));

        // Plateau: the end of the run against its middle (the first 40 % is warm-up).
        double total = last.Seconds;
        var middle = readings.Where(r => r.Seconds >= 0.4 * total && r.Seconds <= 0.6 * total).ToList();
        var end = readings.Where(r => r.Seconds >= 0.8 * total).ToList();
        Assert.NotEmpty(middle);
        Assert.NotEmpty(end);
        AssertBounded("managed heap", Median(middle, r => r.ManagedBytes), Median(end, r => r.ManagedBytes), 1.5, 8 << 20);
        AssertBounded("resident set", Median(middle, r => r.RssBytes), Median(end, r => r.RssBytes), 1.2, 24 << 20);
        AssertBounded("threads", middle.Max(r => r.Threads), end.Max(r => r.Threads), 1.0, 6);
        AssertBounded("file descriptors", middle.Max(r => r.Fds), end.Max(r => r.Fds), 1.0, 6);

        // The figures, for docs/reliability.md (visible with --logger "console;verbosity=detailed").
        Reading first = readings[0];
        Console.WriteLine(FormattableString.Invariant(
            $"soak {minutes} min: requests {last.Requests}, stacks {last.Stacks}, written {last.Written}, dropped {last.Dropped}; managed MB start {Mb(first.ManagedBytes)} peak {Mb(readings.Max(r => r.ManagedBytes))} end {Mb(last.ManagedBytes)}; RSS MB start {Mb(first.RssBytes)} peak {Mb(readings.Max(r => r.RssBytes))} end {Mb(last.RssBytes)}; threads {first.Threads}/{readings.Max(r => r.Threads)}/{last.Threads}"));
    }

    private static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private static void AssertBounded(string what, double middle, double end, double factor, double slack) =>
        Assert.True(end <= middle * factor + slack, FormattableString.Invariant($"{what} grew from {middle:F0} (middle of the run) to {end:F0} (end)"));

    private static double Median(List<Reading> readings, Func<Reading, long> value)
    {
        var sorted = readings.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2.0;
    }

    private static Reading Parse(string line)
    {
        JsonElement e = JsonDocument.Parse(line).RootElement;
        return new Reading(
            e.GetProperty("seconds").GetDouble(),
            e.GetProperty("managedBytes").GetInt64(),
            e.GetProperty("rssBytes").GetInt64(),
            e.GetProperty("threads").GetInt32(),
            e.GetProperty("fds").GetInt32(),
            e.GetProperty("stacks").GetInt64(),
            e.GetProperty("requests").GetInt64(),
            e.GetProperty("written").GetInt64(),
            e.GetProperty("dropped").GetInt64(),
            e.GetProperty("faults").GetInt64(),
            e.GetProperty("filesBytes").GetInt64(),
            e.GetProperty("done").GetBoolean());
    }
}

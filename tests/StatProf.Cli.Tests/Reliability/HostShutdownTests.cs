using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using StatProf.Cli.Tests.Dump;

namespace StatProf.Cli.Tests.Reliability;

/// <summary>
/// SIGTERM to an ASP.NET Core host with StatProf embedded, while it samples a slow request: the
/// host exits within its shutdown timeout (5 s in the target) with exit code 0 and no runtime error,
/// and its record file holds complete JSON lines, the logger's last stats record included.
/// (kill -9 of a target during record/attach: tests/StatProf.Cli.Tests/Record/ErrorTests.cs.)
/// </summary>
public sealed partial class HostShutdownTests : IDisposable
{
    private const int SigTerm = 15;

    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-sigterm-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [Fact]
    public async Task SigtermWhileSamplingExitsCleanlyWithinTheShutdownTimeout()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(TargetProcess.TargetPath("StatProfWebTarget"));
        start.ArgumentList.Add(_directory);
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("shutdown-test-key");
        using var host = Process.Start(start)!;
        Task<string> stderr = host.StandardError.ReadToEndAsync();
        try
        {
            string? first = await host.StandardOutput.ReadLineAsync();
            Assert.StartsWith("listening ", first);
            Task<string> rest = host.StandardOutput.ReadToEndAsync();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            Task<HttpResponseMessage> busy = http.GetAsync($"{first!["listening ".Length..]}/spin/s?seconds=30");

            // Until the slow request is being sampled: its record file exists and has dumps.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(30) && !Directory.GetFiles(_directory, "*.jsonl").Any(f => ReadShared(f).Contains("\"type\":\"dump\"", StringComparison.Ordinal)))
            {
                await Task.Delay(100);
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the slow request was never dumped");
            var stopwatch = Stopwatch.StartNew();
            Assert.Equal(0, Kill(host.Id, SigTerm));
            Assert.True(host.WaitForExit(TimeSpan.FromSeconds(60)), "the host did not exit after SIGTERM");
            stopwatch.Stop();

            Assert.Equal(0, host.ExitCode);
            // 5 s of Kestrel's drain, then the logger's bounded stop: well under the 30 s request it must
            // not wait for, with room for a saturated machine (a quiet one exits in ~5.5 s).
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5 + 20), $"exit took {stopwatch.Elapsed.TotalSeconds:F1} s (shutdown timeout 5 s)");
            string errors = await stderr;
            Assert.DoesNotContain("Unhandled", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("Fatal", errors, StringComparison.Ordinal);
            await rest;
            try
            {
                await busy;
            }
            catch (HttpRequestException)
            {
                // The host went away under the request: expected.
            }

            string[] lines = Directory.GetFiles(_directory, "*.jsonl").SelectMany(f => File.ReadAllText(f).Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            List<string> types = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()!).ToList();
            Assert.Contains("dump", types);
            Assert.Equal("stats", types[^1]); // the logger's shutdown stats: it was disposed, not cut off
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill();
            }
        }
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

using System.Diagnostics;
using System.Text.Json;
using StatProf.Cli.Tests.Dump;

namespace StatProf.Cli.Tests.Reliability;

/// <summary>
/// The long-request logger's own activation in a host whose thread pool is starved by
/// sync-over-async requests: the sampling session needs the pool to start (TraceLog's real-time
/// reader), so it starts late, but it starts, and the slow request's dumps are recorded.
/// Measured (docs/reliability.md): with 150 blocked requests the first dump came at ~0.9 s of the
/// request instead of just past its 0.2 s threshold.
/// </summary>
public sealed class StarvedPoolLoggerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-starved-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// The starved request's end record. Only it: on a loaded machine the warm-up "GET /" (its
    /// first request, JIT-compiling the pipeline) can pass the 200 ms threshold and be logged too.
    /// </summary>
    private static bool IsStarvedEnd(JsonElement record) =>
        record.GetProperty("type").GetString() == "end"
        && record.GetProperty("request").GetProperty("name").GetString()!.Contains("/slow/starved", StringComparison.Ordinal);

    /// <summary>The complete lines written so far (a line being written is left for the next read).</summary>
    private List<JsonElement> ReadRecords() =>
        Directory.GetFiles(_directory, "*.jsonl")
            .SelectMany(f => File.ReadAllText(f).Split('\n').SkipLast(1))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();

    [Fact]
    public async Task ASlowRequestInAStarvedPoolStillGetsItsDumps()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { TargetProcess.TargetPath("StatProfWebTarget"), _directory, "0", "starved-key", "--StatProf:Http:IgnoredPaths:0=/block" })
        {
            start.ArgumentList.Add(argument);
        }

        using var host = Process.Start(start)!;
        try
        {
            Task<string> stderr = host.StandardError.ReadToEndAsync();
            string? first = await host.StandardOutput.ReadLineAsync();
            Assert.StartsWith("listening ", first);
            string url = first!["listening ".Length..];
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { Timeout = TimeSpan.FromSeconds(120) };
            Assert.Equal("ok", await http.GetStringAsync(url + "/"));

            // 150 sync-over-async requests (not monitored: only the slow one is), then the slow one.
            var blocked = Enumerable.Range(0, 150).Select(i => http.GetAsync($"{url}/block/{i}")).ToList();
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"{url}/slow/starved?seconds=20")).StatusCode);
            await Task.WhenAll(blocked);

            // Its end record comes once the samples up to its end have arrived: seconds on a loaded machine.
            List<JsonElement> records = ReadRecords();
            for (var clock = Stopwatch.StartNew(); !records.Any(IsStarvedEnd) && clock.Elapsed < TimeSpan.FromSeconds(30);)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                records = ReadRecords();
            }

            JsonElement end = Assert.Single(records, IsStarvedEnd);
            string id = end.GetProperty("request").GetProperty("id").GetString()!;
            var dumps = records
                .Where(r => r.GetProperty("type").GetString() switch
                {
                    "dump" => r.GetProperty("request").GetProperty("id").GetString() == id,
                    "same" => r.GetProperty("requestId").GetString() == id,
                    _ => false,
                })
                .ToList();
            Assert.True(dumps.Count >= 10, $"only {dumps.Count} dumps of a 20 s request dumped every 50 ms");
            // Measured 0.9-1.2 s into the request (docs/reliability.md); on a saturated machine the
            // session's start alone takes 2-6 s or more, so the bound is wide: it still fails if the
            // session never starts while the pool is starved.
            double firstAt = dumps.Min(d => d.GetProperty("elapsedMs").GetDouble());
            Assert.True(firstAt < 15_000, $"the first dump came {firstAt:F0} ms into the request");
            Console.WriteLine($"starved pool: first dump at {firstAt:F0} ms (threshold 200 ms), {dumps.Count} dumps");
            host.Kill();
            await stderr;
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill();
            }
        }
    }
}

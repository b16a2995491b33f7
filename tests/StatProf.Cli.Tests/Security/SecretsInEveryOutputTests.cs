using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StatProf.Cli.Tests.Dump;
using StatProf.Cli.Tests.Record;
using Xunit.Abstractions;

namespace StatProf.Cli.Tests.Security;

/// <summary>
/// Secrets planted in real requests to a real ASP.NET Core host with StatProf embedded (a query
/// value, Authorization, Cookie, and a header the service declared sensitive) appear in NO output:
/// the record file, every report format, the live endpoint's pages, and <c>statprof dump</c>.
/// Each output is also checked for what it must show, so that an empty output cannot pass.
/// </summary>
[Collection(DumpRun.Collection)]
public sealed class SecretsInEveryOutputTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Secrets = ["QUERYSECRET1", "QUERYSECRET2", "AUTHSECRET3", "COOKIESECRET4", "TENANTSECRET5"];

    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static HttpRequestMessage Planted(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer AUTHSECRET3");
        request.Headers.TryAddWithoutValidation("Cookie", "session=COOKIESECRET4");
        request.Headers.TryAddWithoutValidation("X-Tenant-Secret", "TENANTSECRET5");
        return request;
    }

    private void AssertNoSecret(string what, string text, string mustContain)
    {
        output.WriteLine($"{what}: {text.Length} chars");
        Assert.True(text.Contains(mustContain, StringComparison.Ordinal), $"{what} does not show '{mustContain}': the check would prove nothing");
        foreach (string secret in Secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{what} leaks {secret}");
        }
    }

    [Fact]
    public async Task NoPlantedSecretReachesAnyOutput()
    {
        string records = Path.Combine(_directory, "records");
        int livePort = FreePort();
        const string key = "live-key-for-the-test";
        var outputs = new List<(string What, string Text, string MustContain)>();
        using (TargetProcess target = TargetProcess.Start("StatProfWebTarget", records, livePort.ToString(System.Globalization.CultureInfo.InvariantCulture), key))
        {
            string url = target.FirstLine["listening ".Length..];
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(180) };
            Task<HttpResponseMessage> slow = http.SendAsync(Planted($"{url}/slow/a?token=QUERYSECRET1&seconds=120"));
            Task<HttpResponseMessage> spin = http.SendAsync(Planted($"{url}/spin/b?q=QUERYSECRET2&seconds=12"));

            string live = $"http://127.0.0.1:{livePort}";
            async Task<string> Live(string path)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, live + path);
                request.Headers.Add("X-StatProf-Key", key);
                using HttpResponseMessage response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadAsStringAsync();
            }

            // Until the slow request is listed (a loaded machine may take seconds to serve a fresh host's first request).
            string requests = string.Empty;
            for (var clock = System.Diagnostics.Stopwatch.StartNew(); !requests.Contains("/slow/a", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(60);)
            {
                await Task.Delay(100);
                requests = await Live("/requests");
            }

            Assert.True(requests.Contains("/slow/a", StringComparison.Ordinal), "the slow request was listed by /requests within 60 s:\n" + requests);

            // The in-process pages first (fast), then the CLI's dumps (seconds each on a loaded
            // machine): all of them while the slow request still sleeps.
            outputs.Add(("live /requests", requests, "/slow/a"));
            outputs.Add(("live /requests json", await Live("/requests?format=json"), "/slow/a"));
            outputs.Add(("live /dump", await Live("/dump"), "Thread.Sleep"));
            outputs.Add(("live /dump json", await Live("/dump?format=json"), "Sleep"));
            outputs.Add(("live /flame", await Live("/flame?seconds=1"), "Sleep"));
            var (textExit, text, textErr) = DumpRun.Executable([], "dump", "-p", target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "text");
            Assert.True(textExit == 0, textErr);
            outputs.Add(("statprof dump text", text, "/slow/a"));
            var (jsonExit, json, jsonErr) = DumpRun.Executable([], "dump", "-p", target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json");
            Assert.True(jsonExit == 0, jsonErr);
            outputs.Add(("statprof dump json", json, "/slow/a"));

            // The slow request sleeps until every output above is taken (seconds each on a loaded machine).
            using (HttpResponseMessage release = await http.GetAsync($"{url}/release"))
            {
                Assert.Equal(HttpStatusCode.OK, release.StatusCode);
            }

            Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await spin).StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(1)); // the end records
        }

        string[] files = Directory.GetFiles(records, "*.jsonl");
        Assert.NotEmpty(files);
        string recordText = string.Concat(files.Select(File.ReadAllText));
        outputs.Add(("record file", recordText, "REDACTED"));
        Assert.Contains("\"Authorization\":\"REDACTED\"", recordText.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        foreach (string format in new[] { "text", "json", "html", "folded", "speedscope" })
        {
            var (exit, stdout, stderr) = Targets.Run(Targets.Dotnet, [Targets.StatprofDll, "report", .. files, "--format", format]);
            Assert.True(exit == 0, stderr);
            outputs.Add(($"report --format {format}", stdout, "Sleep"));
        }

        string pprof = Path.Combine(_directory, "profile.pb.gz");
        var (pprofExit, _, pprofErr) = Targets.Run(Targets.Dotnet, [Targets.StatprofDll, "report", .. files, "--format", "pprof", "-o", pprof]);
        Assert.True(pprofExit == 0, pprofErr);
        using (var gzip = new GZipStream(File.OpenRead(pprof), CompressionMode.Decompress))
        using (var raw = new MemoryStream())
        {
            gzip.CopyTo(raw);
            outputs.Add(("report --format pprof", Encoding.Latin1.GetString(raw.ToArray()), "Sleep")); // protobuf keeps strings as bytes
        }

        // The request's name and tags reach the reports that show requests.
        Assert.Contains("/slow/a?token=REDACTED", outputs.Single(o => o.What == "report --format json").Text, StringComparison.Ordinal);

        foreach (var (what, text, mustContain) in outputs)
        {
            AssertNoSecret(what, text, mustContain);
        }
    }
}

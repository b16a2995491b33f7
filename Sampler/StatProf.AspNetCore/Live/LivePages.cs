using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StatProf.Analysis;
using StatProf.Sampler;

namespace StatProf.AspNetCore.Live;

/// <summary>
/// Routes a request of the live endpoint: checks the key, then serves <c>/</c>, <c>/requests</c>,
/// <c>/dump</c> and <c>/flame</c>. Runs on the connection's own thread.
/// </summary>
internal sealed class LivePages
{
    // How long /dump and /flame wait for the endpoint's warm-up session to end before they start
    // their own: two sessions starting at once each read the runtime's method rundown, and on a
    // loaded machine neither then starts soon (the warm-up measured 2-6 s there; the wait ends with it).
    private static readonly TimeSpan WarmUpWait = TimeSpan.FromSeconds(30);

    private readonly byte[]? _keyHash;
    private readonly LongRequestLogger? _logger;
    private readonly StatProfLiveOptions _options;
    private readonly ManualResetEventSlim _warm;

    public LivePages(StatProfLiveOptions options, LongRequestLogger? logger, ManualResetEventSlim warm)
    {
        _options = options;
        _logger = logger;
        _warm = warm;
        _keyHash = string.IsNullOrEmpty(options.Key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Key));
    }

    public LiveHttpResponse Handle(LiveHttpRequest request)
    {
        if (!Authorized(request, out string keySuffix))
        {
            return LiveHttpResponse.Text(401, "Missing or wrong key: send the X-StatProf-Key header or ?key=.");
        }

        string format = request.Query.GetValueOrDefault("format") ?? string.Empty;
        return request.Path.TrimEnd('/') switch
        {
            "" => LiveHttpResponse.Html(Index(keySuffix)),
            "/requests" => format == "json" ? LiveHttpResponse.Json(RequestsJson()) : LiveHttpResponse.Html(RequestsHtml()),
            "/dump" => AfterWarmUp(() => Dump(format)),
            "/flame" => AfterWarmUp(() => Flame(request, format)),
            _ => LiveHttpResponse.Text(404, $"No page {request.Path}; pages: /requests, /dump, /flame."),
        };
    }

    private LiveHttpResponse AfterWarmUp(Func<LiveHttpResponse> page)
    {
        _warm.Wait(WarmUpWait);
        return page();
    }

    /// <summary>Compares SHA-256 hashes of the keys in constant time (equal lengths whatever the input).</summary>
    private bool Authorized(LiveHttpRequest request, out string keySuffix)
    {
        keySuffix = string.Empty;
        if (_keyHash is null)
        {
            return true;
        }

        string? given = request.Headers.GetValueOrDefault("X-StatProf-Key");
        if (given is null && request.Query.TryGetValue("key", out string? fromQuery))
        {
            given = fromQuery;
            keySuffix = "key=" + Uri.EscapeDataString(fromQuery); // links keep working when the key came in the URL
        }

        return given is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _keyHash);
    }

    private static string Index(string keySuffix)
    {
        string k = keySuffix.Length == 0 ? string.Empty : "?" + keySuffix;
        string a = keySuffix.Length == 0 ? "?" : "?" + keySuffix + "&";
        return Page("StatProf live", $"""
            <ul>
            <li><a href="/requests{k}">Long requests</a> (<a href="/requests{a}format=json">json</a>)</li>
            <li><a href="/dump{k}">All-threads dump</a> (<a href="/dump{a}format=json">json</a>)</li>
            <li><a href="/flame{a}seconds=10">Flame graph of the next 10 s</a> (<a href="/flame{a}seconds=10&amp;format=folded">folded</a>, <a href="/flame{a}seconds=10&amp;format=json">json</a>, <a href="/flame{a}seconds=10&amp;format=speedscope">speedscope</a>)</li>
            </ul>
            """);
    }

    private IReadOnlyList<RunningRequest> Running() => _logger?.GetRunningRequests(_options.LongRequestAge) ?? [];

    private byte[] RequestsJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("processId", Environment.ProcessId);
            json.WriteString("at", DateTime.UtcNow);
            json.WriteNumber("minimumSeconds", _options.LongRequestAge.TotalSeconds);
            json.WriteStartArray("requests");
            foreach (RunningRequest r in Running())
            {
                json.WriteStartObject();
                json.WriteString("id", r.Id);
                json.WriteString("kind", r.Kind);
                json.WriteString("name", r.Name);
                json.WriteNumber("elapsedSeconds", Math.Round(r.Elapsed.TotalSeconds, 3));
                json.WriteNumber("thread", r.OsThreadId);
                if (r.LastWaiting is { } waiting)
                {
                    json.WriteString("lastState", waiting ? "waiting" : "running");
                }

                json.WriteStartArray("lastStack");
                foreach (StackFrameInfo frame in (r.LastStack ?? []).Reverse())
                {
                    json.WriteStringValue(frame.Name);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private string RequestsHtml()
    {
        IReadOnlyList<RunningRequest> running = Running();
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p>{running.Count} request(s) running for at least {_options.LongRequestAge.TotalSeconds:0.###} s (refresh to update).</p>");
        body.Append("<table><tr><th>elapsed</th><th>request</th><th>thread</th><th>last stack (leaf first)</th></tr>");
        foreach (RunningRequest r in running)
        {
            string stack = r.LastStack is null
                ? "<i>not sampled yet</i>"
                : (r.LastWaiting == true ? "<b>waiting</b><br>" : "<b>running</b><br>") + string.Join("<br>", r.LastStack.Reverse().Take(30).Select(f => WebUtility.HtmlEncode(f.Name)));
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{r.Elapsed.TotalSeconds:0.0} s</td><td>{WebUtility.HtmlEncode(r.Kind)} {WebUtility.HtmlEncode(r.Name)}</td><td>{r.OsThreadId}</td><td class=\"stack\">{stack}</td></tr>");
        }

        body.Append("</table>");
        return Page("StatProf: long requests", body.ToString());
    }

    private static LiveHttpResponse Dump(string format)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<ThreadStack> threads = LiveSampling.Dump(ticks: 5, timeout: TimeSpan.FromSeconds(1), out PoolRelief relief, out string timings);
        double seconds = clock.Elapsed.TotalSeconds;
        int waiting = threads.Count(t => t.Waiting);
        if (format == "json")
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("processId", Environment.ProcessId);
                json.WriteString("at", DateTime.UtcNow);
                json.WriteNumber("seconds", Math.Round(seconds, 3));
                json.WriteString("timings", timings);
                json.WriteNumber("threadCount", threads.Count);
                json.WriteNumber("waitingCount", waiting);
                json.WriteNumber("poolPendingWorkItems", relief.Pending);
                json.WriteNumber("poolThreads", relief.ThreadsBefore);
                if (relief.RaisedTo != 0)
                {
                    json.WriteNumber("poolMinimumRaisedFrom", relief.PreviousMinimum);
                    json.WriteNumber("poolMinimumRaisedTo", relief.RaisedTo);
                }
                json.WriteStartArray("threads");
                foreach (ThreadStack t in threads)
                {
                    json.WriteStartObject();
                    json.WriteNumber("osThreadId", t.OsThreadId);
                    json.WriteString("name", t.Name);
                    json.WriteString("state", t.Waiting ? "waiting" : "running");
                    json.WriteString("blockedIn", t.BlockedIn);
                    json.WriteStartArray("frames");
                    foreach (StackFrameInfo frame in t.LeafFirst)
                    {
                        json.WriteStringValue(frame.Name);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return LiveHttpResponse.Json(stream.ToArray());
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Thread dump of process {Environment.ProcessId} at {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}: {threads.Count} managed threads, {threads.Count - waiting} running, {waiting} waiting (sampled in {seconds:0.00} s: {timings})\n");
        if (relief.Pending > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Thread pool: {relief.Pending} work items queued on {relief.ThreadsBefore} threads: starved? Its minimum was raised from {relief.PreviousMinimum} to {relief.RaisedTo} while sampling (see docs/live-endpoint.md).\n");
        }

        foreach (ThreadStack t in threads)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nThread {t.OsThreadId}");
            if (t.Name is not null)
            {
                text.Append(" \"").Append(t.Name).Append('"');
            }

            text.Append(t.Waiting ? " waiting" : " running");
            if (t.BlockedIn is not null)
            {
                text.Append(" — blocked in ").Append(t.BlockedIn);
            }

            text.Append('\n');
            foreach (StackFrameInfo frame in t.LeafFirst)
            {
                text.Append("    at ").Append(frame.Name).Append('\n');
            }
        }

        return LiveHttpResponse.Text(200, text.ToString());
    }

    private LiveHttpResponse Flame(LiveHttpRequest request, string format)
    {
        int seconds = 10;
        if (request.Query.TryGetValue("seconds", out string? s) && (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds < 1 || seconds > _options.MaxFlameSeconds))
        {
            return LiveHttpResponse.Text(400, $"seconds must be a whole number from 1 to {_options.MaxFlameSeconds}.");
        }

        if (format is not ("" or "html" or "folded" or "json" or "speedscope"))
        {
            return LiveHttpResponse.Text(400, "format must be html, folded, json or speedscope.");
        }

        string folded = LiveSampling.Folded(TimeSpan.FromSeconds(seconds));
        if (format == "folded")
        {
            return LiveHttpResponse.Text(200, folded);
        }

        var reader = new RecordReader();
        using (var input = new MemoryStream(Encoding.UTF8.GetBytes(folded)))
        {
            reader.ReadFolded(input, $"live-{Environment.ProcessId}-{seconds}s");
        }

        Profile profile = Analyzer.Analyze(reader.Complete());
        using var output = new MemoryStream();
        switch (format)
        {
            case "json":
                ReportWriter.WriteJson(profile, output);
                return LiveHttpResponse.Json(output.ToArray());
            case "speedscope":
                ExportWriter.WriteSpeedscope(profile, output);
                return LiveHttpResponse.Json(output.ToArray());
            default:
                ReportWriter.WriteHtml(profile, output, new HtmlReportOptions { Title = $"StatProf: process {Environment.ProcessId}, all threads, {seconds} s" });
                return new LiveHttpResponse(200, "text/html; charset=utf-8", output.ToArray());
        }
    }

    private static string Page(string title, string body) =>
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(title) + "</title>\n" +
        "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}.stack{font-family:monospace;font-size:12px}</style>\n" +
        "</head><body><h1>" + WebUtility.HtmlEncode(title) + "</h1>\n" + body + "\n</body></html>\n";
}

using System.Globalization;
using System.Text.Encodings.Web;
using StatProf.Analysis;

namespace StatProf.Cli.Demo;

/// <summary>
/// A minimal self-contained HTML report of a profile: the optimization spots, the slow requests and
/// the top frames. Every name is data: HTML-encoded, never markup. (The full interactive report,
/// with flame graphs, is <c>statprof report --format html</c>.)
/// </summary>
internal static class DemoHtmlReport
{
    public static void Write(Profile profile, TextWriter output)
    {
        HtmlEncoder html = HtmlEncoder.Default;
        output.WriteLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>StatProf demo report</title>");
        output.WriteLine("<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em}</style></head><body>");
        output.WriteLine("<h1>StatProf demo report</h1>");
        output.WriteLine($"<p>{profile.Set.Requests.Count} slow requests, {profile.Samples} stack dumps.</p>");

        output.WriteLine("<h2>Optimization spots</h2><p>Where each slow request's stack stayed the same between two dumps (the hot/cold boundary): the frame to optimize.</p>");
        output.WriteLine("<table id=\"spots\"><tr><th>frame</th><th>seconds</th><th>requests</th><th>share</th></tr>");
        foreach (Spot spot in profile.Spots.Take(20))
        {
            output.WriteLine($"<tr><td><code>{html.Encode(spot.Frame)}</code></td><td class=\"n\">{spot.Seconds.ToString("0.00", CultureInfo.InvariantCulture)}</td><td class=\"n\">{spot.Requests}</td><td class=\"n\">{Percent(spot.Share)}</td></tr>");
        }

        output.WriteLine("</table><h2>Slow requests</h2>");
        output.WriteLine("<table id=\"requests\"><tr><th>request</th><th>duration (ms)</th><th>outcome</th><th>dumps</th><th>top spot</th></tr>");
        foreach (RequestSummary summary in profile.Requests.OrderByDescending(r => r.Request.EffectiveDurationMs).Take(200))
        {
            Request r = summary.Request;
            output.WriteLine($"<tr><td>{html.Encode(r.Name)}</td><td class=\"n\">{r.EffectiveDurationMs.ToString("0", CultureInfo.InvariantCulture)}</td><td>{html.Encode(r.Outcome)}</td><td class=\"n\">{r.Samples}</td><td><code>{html.Encode(summary.TopSpot?.Frame ?? "")}</code></td></tr>");
        }

        output.WriteLine("</table><h2>Top frames by self time</h2>");
        output.WriteLine("<table id=\"frames\"><tr><th>frame</th><th>self</th><th>total</th></tr>");
        foreach (FrameStat frame in profile.Frames.Take(30))
        {
            output.WriteLine($"<tr><td><code>{html.Encode(frame.Name)}</code></td><td class=\"n\">{Percent(frame.SelfShare)}</td><td class=\"n\">{Percent(frame.TotalShare)}</td></tr>");
        }

        output.WriteLine("</table></body></html>");
    }

    private static string Percent(Share share) =>
        string.Create(CultureInfo.InvariantCulture, $"{share.Value * 100:0.0} % ({share.Low * 100:0.0}–{share.High * 100:0.0})");
}

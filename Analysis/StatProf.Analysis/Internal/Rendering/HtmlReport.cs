using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using StatProf.Analysis.Internal.Filters;

namespace StatProf.Analysis.Internal.Rendering;

/// <summary>
/// The interactive HTML report: one self-contained page (no network, works from <c>file://</c>)
/// made of a template, a stylesheet and a script kept as real files under <c>Html/</c> and embedded
/// in this assembly, and the data as one JSON document inside a
/// <c>&lt;script type="application/json"&gt;</c> element. The JSON is written by
/// <see cref="Utf8JsonWriter"/> with its default encoder, which escapes <c>&lt;</c>, <c>&gt;</c> and
/// <c>&amp;</c> as <c>\u003c</c>…, so no frame or request name can close the element; the script
/// puts names into the page with <c>textContent</c> only.
/// </summary>
/// <remarks>
/// Size is bounded by distinct call paths, not samples: frame names are written once in a string
/// table, graphs are call trees (one node per call path with its counts), call paths below
/// <see cref="HtmlReportOptions.MinFrameShare"/> of their graph are pruned (and counted, so the page
/// can say what it hides), and only the slowest requests get graphs of their own.
/// </remarks>
internal static class HtmlReport
{
    private static readonly Lazy<Page> Template = new(LoadTemplate);

    public static void Write(Profile profile, Stream output, HtmlReportOptions options) =>
        Write(profile, null, output, options, options.Title ?? "StatProf report");

    public static void Write(ProfileDiff diff, Stream output, HtmlReportOptions options) =>
        Write(diff.After, diff, output, options, options.Title ?? "StatProf diff");

    private static void Write(Profile profile, ProfileDiff? diff, Stream output, HtmlReportOptions options, string title)
    {
        options.Validate();
        Page page = Template.Value;
        byte[][] parts = page.Parts;

        // parts: [0] {{scripthash}} [1] {{title}} [2] {{style}} [3] {{data}} [4] {{script}} [5]
        output.Write(parts[0]);
        output.Write(page.ScriptHash);
        output.Write(parts[1]);
        output.Write(Encoding.UTF8.GetBytes(HtmlEncoder.Default.Encode(title)));
        output.Write(parts[2]);
        output.Write(page.Style);
        output.Write(parts[3]);
        using (var json = new Utf8JsonWriter(output))
        {
            WriteData(json, profile, diff, options, title);
        }

        output.Write(parts[4]);
        output.Write(page.Script);
        output.Write(parts[5]);
    }

    private static void WriteData(Utf8JsonWriter json, Profile profile, ProfileDiff? diff, HtmlReportOptions options, string title)
    {
        RecordSet set = profile.Set;
        var names = new NameTable(set);
        var projection = new StackProjection(set, profile.Options.Ignore ?? IgnoreSet.None);

        json.WriteStartObject();
        json.WriteString("format", "statprof-html");
        json.WriteNumber("version", 1);
        json.WriteString("title", title);
        json.WriteString("mode", diff is null ? "profile" : "diff");
        json.WriteNumber("samples", profile.Samples);
        json.WriteStartArray("states");
        json.WriteNumberValue(profile.States.Running);
        json.WriteNumberValue(profile.States.Waiting);
        json.WriteNumberValue(profile.States.Awaiting);
        json.WriteEndArray();
        json.WriteNumber("confidence", profile.Options.ConfidenceLevel);
        json.WriteNumber("minShare", options.MinFrameShare);
        json.WriteNumber("requestCount", profile.Requests.Count);
        json.WriteNumber("distinctFrames", set.DistinctFrames);
        json.WriteNumber("skippedLines", set.Skipped.Total);
        json.WriteNumber("boundarySeconds", Round(profile.Boundary.Seconds, 3));
        json.WriteNumber("markedSpots", options.MarkedSpots);
        WriteSelection(json, profile.Options);
        json.WriteStartArray("sources");
        foreach (RecordSource source in set.Sources)
        {
            json.WriteStringValue(Path.GetFileName(source.Name));
        }

        json.WriteEndArray();
        json.WriteStartArray("warnings");
        foreach (string warning in set.Warnings)
        {
            json.WriteStringValue(warning);
        }

        json.WriteEndArray();

        // Graphs: [0] the aggregate, then one per request with samples, the slowest first, up to the limit.
        var requestGraphs = new Dictionary<Request, int>();
        json.WriteNumber("requestGraphLimit", options.MaxRequestGraphs);
        json.WriteStartArray("graphs");
        FlameTree all = FlameTree.Build(profile.Requests.Select(r => r.Request).ToArray(), projection, set.Frames);
        WriteGraph(json, all, diff is null ? "All requests" : "After (all requests)", options.MinFrameShare, options.MaxNodes, names);
        int nodeBudget = options.MaxRequestNodesTotal;
        foreach (RequestSummary summary in profile.Requests)
        {
            if (requestGraphs.Count == options.MaxRequestGraphs || nodeBudget < 2)
            {
                break;
            }

            if (summary.Request.Samples == 0)
            {
                continue;
            }

            var tree = new FlameTree();
            tree.Add(summary.Request, projection, set.Frames);
            nodeBudget -= WriteGraph(json, tree, RequestLabel(summary.Request), options.MinFrameShare, Math.Min(options.MaxRequestNodes, nodeBudget), names);
            requestGraphs.Add(summary.Request, requestGraphs.Count + 1);
        }

        json.WriteEndArray();
        json.WriteBoolean("requestGraphBudgetSpent", nodeBudget < 2 && requestGraphs.Count < options.MaxRequestGraphs);
        json.WriteNumber("requestGraphNodeBudget", options.MaxRequestNodesTotal);

        WriteSpots(json, profile, names);
        WriteRequests(json, profile, options, requestGraphs, names);
        if (diff is not null)
        {
            WriteDiff(json, diff, names);
        }

        // Last: every name the sections above referred to, and each one's statistics.
        json.WriteStartArray("names");
        foreach (string name in names.Names)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteStartArray("stats"); // per name: [self, total, selfLow, selfHigh, totalLow, totalHigh], or null
        foreach (string name in names.Names)
        {
            if (profile.FindFrame(name) is { } frame)
            {
                json.WriteStartArray();
                json.WriteNumberValue(frame.Self);
                json.WriteNumberValue(frame.Total);
                json.WriteNumberValue(Round(frame.SelfShare.Low, 6));
                json.WriteNumberValue(Round(frame.SelfShare.High, 6));
                json.WriteNumberValue(Round(frame.TotalShare.Low, 6));
                json.WriteNumberValue(Round(frame.TotalShare.High, 6));
                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
        WriteSources(json, set, names);
        if (options.LineProfile is { } lineProfile && !ReferenceEquals(lineProfile, profile))
        {
            WriteLineBreakdown(json, lineProfile, names);
        }

        if (diff is not null)
        {
            WriteDiffFrames(json, diff, names);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// One graph: <c>n</c> holds six numbers per kept node, parents first — name index, parent
    /// (index into the kept nodes, -1 for the root), total samples, self samples, running, waiting
    /// (awaiting is the rest); <c>b</c> pairs of kept node and hot/cold boundary seconds. <c>hidden</c> counts the pruned nodes, <c>hiddenSamples</c> the
    /// samples under the topmost of them. Returns the nodes written.
    /// </summary>
    private static int WriteGraph(Utf8JsonWriter json, FlameTree tree, string label, double minShare, int maxNodes, NameTable names)
    {
        int count = tree.Count;
        long threshold = Math.Max(1, (long)Math.Ceiling(minShare * tree.Samples));
        int kept = 0;
        for (int node = 1; node < count; node++)
        {
            if (tree.Total(node) >= threshold)
            {
                kept++;
            }
        }

        if (kept > maxNodes - 1)
        {
            // Raise the threshold past the total of the (maxNodes)-th largest node: ties pruned together.
            var totals = new long[count - 1];
            for (int node = 1; node < count; node++)
            {
                totals[node - 1] = tree.Total(node);
            }

            Array.Sort(totals);
            threshold = totals[^(maxNodes - 1)] + 1;
        }

        var self = new long[count];
        for (int node = 0; node < count; node++)
        {
            self[node] += tree.Total(node);
            if (node > 0)
            {
                self[tree.Parent(node)] -= tree.Total(node);
            }
        }

        var outIndex = new int[count];
        int written = 0, hidden = 0;
        long hiddenSamples = 0;
        json.WriteStartObject();
        json.WriteString("label", label);
        json.WriteNumber("samples", tree.Samples);
        json.WriteNumber("threshold", threshold);
        json.WriteStartArray("n");
        for (int node = 0; node < count; node++)
        {
            if (node > 0 && (tree.Total(node) < threshold || outIndex[tree.Parent(node)] < 0))
            {
                outIndex[node] = -1;
                hidden++;
                if (outIndex[tree.Parent(node)] >= 0)
                {
                    hiddenSamples += tree.Total(node);
                }

                continue;
            }

            outIndex[node] = written++;
            json.WriteNumberValue(node == 0 ? -1 : names.Index(tree.Frame(node)));
            json.WriteNumberValue(node == 0 ? -1 : outIndex[tree.Parent(node)]);
            json.WriteNumberValue(tree.Total(node));
            json.WriteNumberValue(self[node]);
            json.WriteNumberValue(tree.Running(node));
            json.WriteNumberValue(tree.Waiting(node));
        }

        json.WriteEndArray();

        // Sparse: [kept node, seconds] for every kept call path the hot/cold boundary credited.
        json.WriteStartArray("b");
        for (int node = 1; node < count; node++)
        {
            double seconds = tree.BoundarySeconds(node);
            if (seconds > 0 && outIndex[node] >= 0)
            {
                json.WriteNumberValue(outIndex[node]);
                json.WriteNumberValue(Round(seconds, 3));
            }
        }

        json.WriteEndArray();
        json.WriteNumber("hidden", hidden);
        json.WriteNumber("hiddenSamples", hiddenSamples);
        json.WriteEndObject();
        return written;
    }

    private static void WriteSpots(Utf8JsonWriter json, Profile profile, NameTable names)
    {
        json.WriteNumber("spotCount", profile.Spots.Count);
        json.WriteStartArray("spots"); // [name, seconds, requests, share, low, high, intervals], the first 200
        foreach (Spot spot in profile.Spots.Take(200))
        {
            json.WriteStartArray();
            json.WriteNumberValue(names.Index(spot.Frame));
            json.WriteNumberValue(Round(spot.Seconds, 3));
            json.WriteNumberValue(spot.Requests);
            json.WriteNumberValue(Round(spot.Share.Value, 6));
            json.WriteNumberValue(Round(spot.Share.Low, 6));
            json.WriteNumberValue(Round(spot.Share.High, 6));
            json.WriteNumberValue(spot.Intervals);
            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static void WriteRequests(Utf8JsonWriter json, Profile profile, HtmlReportOptions options, Dictionary<Request, int> requestGraphs, NameTable names)
    {
        json.WriteStartArray("requests");
        int listed = Math.Min(options.MaxRequests, profile.Requests.Count);
        for (int i = 0; i < listed; i++)
        {
            RequestSummary summary = profile.Requests[i];
            Request request = summary.Request;
            json.WriteStartObject();
            json.WriteString("id", request.Id);
            json.WriteNumber("pid", request.ProcessId);
            json.WriteString("name", request.Name);
            json.WriteString("kind", request.Kind);
            json.WriteNumber("ms", Round(request.EffectiveDurationMs, 1));
            json.WriteNumber("dumps", request.Samples);
            json.WriteString("outcome", request.Outcome);
            if (request.Status is { } status)
            {
                json.WriteNumber("status", status);
            }

            if (request.Error is { } error)
            {
                json.WriteString("error", error);
            }

            if (request.Start is { } start)
            {
                json.WriteString("start", start);
            }

            if (summary.TopSpot is { } spot)
            {
                json.WriteNumber("spot", names.Index(spot.Frame));
                json.WriteNumber("spotSeconds", Round(spot.Seconds, 3));
            }

            json.WriteNumber("graph", requestGraphs.GetValueOrDefault(request, -1));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteDiff(Utf8JsonWriter json, ProfileDiff diff, NameTable names)
    {
        json.WriteStartObject("diff");
        json.WriteNumber("beforeSamples", diff.Before.Samples);
        json.WriteNumber("afterSamples", diff.After.Samples);
        json.WriteNumber("beforeRequests", diff.Before.Requests.Count);
        json.WriteNumber("afterRequests", diff.After.Requests.Count);
        json.WriteNumber("alpha", diff.Options.Alpha);
        json.WriteNumber("minimumChange", diff.Options.MinimumChange);
        json.WriteNumber("regressions", diff.Frames.Count(f => f.Kind == ChangeKind.Regression));
        json.WriteNumber("improvements", diff.Frames.Count(f => f.Kind == ChangeKind.Improvement));
        json.WriteStartArray("spots"); // [name, kind, secondsBefore, secondsAfter, shareBefore, shareAfter, adjustedP]
        foreach (SpotChange spot in diff.Spots.Take(100))
        {
            json.WriteStartArray();
            json.WriteNumberValue(names.Index(spot.Frame));
            json.WriteNumberValue((int)spot.Kind);
            json.WriteNumberValue(Round(spot.SecondsBefore, 3));
            json.WriteNumberValue(Round(spot.SecondsAfter, 3));
            json.WriteNumberValue(Round(spot.Share.Before, 6));
            json.WriteNumberValue(Round(spot.Share.After, 6));
            json.WriteNumberValue(Round(spot.Share.AdjustedPValue, 6));
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteStartArray("changes"); // the first 200 frame changes, significant first: name indexes
        foreach (FrameChange frame in diff.Frames.Take(200))
        {
            json.WriteNumberValue(names.Index(frame.Name));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary><c>frameSources</c>, per name: [file, line] of the frame's first appearance with a source line, or null.</summary>
    private static void WriteSources(Utf8JsonWriter json, RecordSet set, NameTable names)
    {
        json.WriteStartArray("frameSources");
        foreach (int frame in names.FrameIds)
        {
            if (frame >= 0 && set.Frames.File(frame) is { } file)
            {
                json.WriteStartArray();
                json.WriteStringValue(file);
                json.WriteNumberValue(set.Frames.Line(frame));
                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// <c>byLine</c>: per name, null or the method's lines with samples, by line number: [file, line,
    /// self, total] each, from the by-line profile's frames (<c>Name in File:line N</c>) mapped back to
    /// their method. Only methods the page names, so the model stays small.
    /// </summary>
    private static void WriteLineBreakdown(Utf8JsonWriter json, Profile lineProfile, NameTable names)
    {
        RecordSet lineSet = lineProfile.Set;
        var byMethod = new Dictionary<string, List<(string File, int Line, long Self, long Total)>>(StringComparer.Ordinal);
        var lineFrames = new Dictionary<string, (string Method, string File, int Line)>(StringComparer.Ordinal);
        for (int id = 0; id < lineSet.Frames.Count; id++)
        {
            if (lineSet.Frames.File(id) is not { } file)
            {
                continue;
            }

            string name = lineSet.Frames.Name(id);
            string method = lineSet.Frames.MethodName(id);
            if (!ReferenceEquals(method, name))
            {
                lineFrames[name] = (method, file, lineSet.Frames.Line(id));
            }
        }

        foreach (FrameStat frame in lineProfile.Frames)
        {
            if (frame.Total > 0 && lineFrames.TryGetValue(frame.Name, out var at) && names.Contains(at.Method))
            {
                if (!byMethod.TryGetValue(at.Method, out var rows))
                {
                    byMethod[at.Method] = rows = [];
                }

                rows.Add((at.File, at.Line, frame.Self, frame.Total));
            }
        }

        json.WriteStartArray("byLine");
        foreach (string name in names.Names)
        {
            if (byMethod.TryGetValue(name, out var rows))
            {
                json.WriteStartArray();
                foreach (var row in rows.OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Line))
                {
                    json.WriteStartArray();
                    json.WriteStringValue(row.File);
                    json.WriteNumberValue(row.Line);
                    json.WriteNumberValue(row.Self);
                    json.WriteNumberValue(row.Total);
                    json.WriteEndArray();
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
    }

    /// <summary>Per name: [kind, selfBefore, selfAfter, totalBefore, totalAfter, adjustedP of the verdict], or null.</summary>
    private static void WriteDiffFrames(Utf8JsonWriter json, ProfileDiff diff, NameTable names)
    {
        var byName = new Dictionary<string, FrameChange>(diff.Frames.Count, StringComparer.Ordinal);
        foreach (FrameChange frame in diff.Frames)
        {
            byName[frame.Name] = frame;
        }

        json.WriteStartArray("changesByName");
        foreach (string name in names.Names)
        {
            if (byName.TryGetValue(name, out FrameChange? change))
            {
                ShareChange verdict = change.Self.IsSignificant ? change.Self : change.Total;
                json.WriteStartArray();
                json.WriteNumberValue((int)change.Kind);
                json.WriteNumberValue(Round(change.Self.Before, 6));
                json.WriteNumberValue(Round(change.Self.After, 6));
                json.WriteNumberValue(Round(change.Total.Before, 6));
                json.WriteNumberValue(Round(change.Total.After, 6));
                json.WriteNumberValue(Round(verdict.AdjustedPValue, 6));
                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
    }

    private static void WriteSelection(Utf8JsonWriter json, AnalysisOptions options)
    {
        json.WriteStartObject("selection");
        if (options.Where is { } where)
        {
            json.WriteString("where", where.Expression);
        }

        if (options.RequestId is { } id)
        {
            json.WriteString("request", id);
        }

        json.WriteNumber("ignoreRules", (options.Ignore ?? IgnoreSet.None).Rules.Count);
        json.WriteEndObject();
    }

    private static string RequestLabel(Request request) =>
        request.Name.Length > 0 ? $"{request.Name} ({request.Id})" : $"request {request.Id}";

    private static double Round(double value, int digits) => double.IsFinite(value) ? Math.Round(value, digits) : 0;

    /// <summary>
    /// The template cut at its markers, and the Content-Security-Policy hash of the one inline script:
    /// the page allows that script and no other, so even markup that slipped in could run nothing.
    /// </summary>
    private static Page LoadTemplate()
    {
        string template = Resource("report.html");
        string[] markers = ["{{scripthash}}", "{{title}}", "{{style}}", "{{data}}", "{{script}}"];
        var parts = new byte[markers.Length + 1][];
        int start = 0;
        for (int i = 0; i < markers.Length; i++)
        {
            int at = template.IndexOf(markers[i], start, StringComparison.Ordinal);
            if (at < 0)
            {
                throw new InvalidOperationException($"The report template lacks {markers[i]}.");
            }

            parts[i] = Encoding.UTF8.GetBytes(template[start..at]);
            start = at + markers[i].Length;
        }

        parts[^1] = Encoding.UTF8.GetBytes(template[start..]);

        // The hash covers the script element's whole text: what the template puts around the marker too.
        string scriptText = Resource("report.js");
        byte[] script = Encoding.UTF8.GetBytes(scriptText);
        string before = Encoding.UTF8.GetString(parts[4]);
        string after = Encoding.UTF8.GetString(parts[5]);
        string open = before[(before.LastIndexOf("<script>", StringComparison.Ordinal) + "<script>".Length)..];
        string close = after[..after.IndexOf("</script>", StringComparison.Ordinal)];
        byte[] hashed = Encoding.UTF8.GetBytes(open + scriptText + close);
        string hash = "sha256-" + Convert.ToBase64String(SHA256.HashData(hashed));
        return new Page(parts, Encoding.UTF8.GetBytes(Resource("report.css")), script, Encoding.ASCII.GetBytes(hash));
    }

    private static string Resource(string name)
    {
        using Stream stream = typeof(HtmlReport).Assembly.GetManifestResourceStream("StatProf.Analysis.Html." + name)
            ?? throw new InvalidOperationException($"The resource {name} is missing from {typeof(HtmlReport).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private sealed record Page(byte[][] Parts, byte[] Style, byte[] Script, byte[] ScriptHash);

    /// <summary>The page's string table: each frame name once, in order of first use.</summary>
    private sealed class NameTable(RecordSet set)
    {
        private readonly int[] _byFrame = Enumerable.Repeat(-1, set.Frames.Count).ToArray();
        private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

        public List<string> Names { get; } = [];

        /// <summary>Per name: the frame id it came from, or -1 (a name found by name only, e.g. from the diff's before profile).</summary>
        public List<int> FrameIds { get; } = [];

        public bool Contains(string name) => _byName.ContainsKey(name);

        public int Index(int frame)
        {
            int index = _byFrame[frame];
            if (index >= 0)
            {
                return index;
            }

            index = _byFrame[frame] = Index(set.Frames.Name(frame));
            if (FrameIds[index] < 0)
            {
                FrameIds[index] = frame;
            }

            return index;
        }

        public int Index(string name)
        {
            if (!_byName.TryGetValue(name, out int index))
            {
                index = _byName[name] = Names.Count;
                Names.Add(name);
                FrameIds.Add(-1);
            }

            return index;
        }
    }
}

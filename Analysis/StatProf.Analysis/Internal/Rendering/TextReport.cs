using System.Globalization;

namespace StatProf.Analysis.Internal.Rendering;

/// <summary>
/// The <c>report --format text</c> summary: what was read, the top optimization spots, the top frames
/// by self samples with their intervals, and the slowest requests with their own spot. Numbers in
/// fixed-width columns, names last on each line so that long generic names do not break alignment.
/// </summary>
internal static class TextReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(Profile profile, TextWriter output, TextReportOptions options)
    {
        RecordSet set = profile.Set;
        StateCounts states = profile.States;
        Line(output, $"StatProf report: {profile.Samples} samples of {Plural(profile.Requests.Count, "slow request")} (running {Percent(states.Running, states.Total)}, waiting {Percent(states.Waiting, states.Total)}, awaiting {Percent(states.Awaiting, states.Total)})");
        Line(output, $"Read {Plural(set.Sources.Count, "file")}, {Plural(set.Processes.Count, "process", "processes")}{Processes(set)}; {SkippedSummary(set.Skipped)}.");
        if (set.TruncatedStacks > 0)
        {
            Line(output, $"{set.TruncatedStacks} dumps had stacks cut at the sampler's maximum depth (their leaves end in [truncated]).");
        }

        if (set.LoggerDroppedRecords > 0)
        {
            Line(output, $"The writer reported dropping {set.LoggerDroppedRecords} records: some requests are missing dumps.");
        }

        WriteSelection(output, profile.Options, set.Requests.Count, profile.Requests.Count);

        BoundaryStats boundary = profile.Boundary;
        output.WriteLine();
        Line(output, $"Optimization spots (hot/cold boundary: {boundary.Intervals} intervals between consecutive dumps, {boundary.Seconds:0.0} s):");
        if (profile.Spots.Count == 0)
        {
            output.WriteLine("  none: no request has two dumps.");
        }
        else
        {
            Line(output, $"  {"seconds",9}  {"share",7}  {"95% interval",-16}  {"requests",8}  frame");
            foreach (Spot spot in profile.Spots.Take(options.TopSpots))
            {
                Line(output, $"  {spot.Seconds,9:0.0}  {Percent(spot.Share.Value),7}  {Interval(spot.Share),-16}  {spot.Requests,8}  {spot.Frame}");
            }

            More(output, profile.Spots.Count, options.TopSpots, "spots");
        }

        if (boundary.NoCommonFrame > 0 || boundary.SingleSampleRequests > 0 || boundary.BadIntervals > 0)
        {
            Line(output, $"  not credited: {boundary.NoCommonFrame} intervals with no common frame ({boundary.NoCommonFrameSeconds:0.0} s), {Plural(boundary.SingleSampleRequests, "request")} with a single dump, {boundary.BadIntervals} intervals with a non-positive duration.");
        }

        output.WriteLine();
        Line(output, $"Frames by self samples ({profile.Options.ConfidenceLevel * 100:0.#}% Wilson intervals):");
        if (profile.Frames.Count == 0)
        {
            output.WriteLine("  none.");
        }
        else
        {
            Line(output, $"  {"self",7}  {"self %",7}  {"95% interval",-16}  {"total",7}  {"total %",7}  {"running",7}  frame");
            foreach (FrameStat frame in profile.Frames.Take(options.TopFrames))
            {
                Line(output, $"  {frame.Self,7}  {Percent(frame.SelfShare.Value),7}  {Interval(frame.SelfShare),-16}  {frame.Total,7}  {Percent(frame.TotalShare.Value),7}  {Percent(frame.SelfStates.Running, frame.Self),7}  {frame.Name}");
            }

            More(output, profile.Frames.Count, options.TopFrames, "frames");
        }

        output.WriteLine();
        output.WriteLine("Slowest requests:");
        if (profile.Requests.Count == 0)
        {
            output.WriteLine("  none.");
        }
        else
        {
            Line(output, $"  {"duration",10}  {"samples",7}  {"outcome",-10}  request  →  its top spot");
            foreach (RequestSummary summary in profile.Requests.Take(options.TopRequests))
            {
                Request r = summary.Request;
                string name = r.Name.Length > 0 ? r.Name : "(unnamed)";
                string spot = summary.TopSpot is { } s ? $"{s.Frame} ({s.Seconds:0.0} s)" : "-";
                Line(output, $"  {Duration(r.EffectiveDurationMs),10}  {r.Samples,7}  {Outcome(r),-10}  {name} [pid {r.ProcessId}, id {r.Id}]  →  {spot}");
            }

            More(output, profile.Requests.Count, options.TopRequests, "requests");
        }

        if (set.Warnings.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Warnings:");
            foreach (string warning in set.Warnings)
            {
                Line(output, $"  {warning}");
            }
        }
    }

    public static void Write(ProfileDiff diff, TextWriter output, TextReportOptions options)
    {
        Line(output, $"StatProf diff: before {diff.Before.Samples} samples of {Plural(diff.Before.Requests.Count, "request")}, after {diff.After.Samples} samples of {Plural(diff.After.Requests.Count, "request")} (significant: adjusted p < {diff.Options.Alpha.ToString(Invariant)} and a change of at least {Percent(diff.Options.MinimumChange)}).");
        output.WriteLine();
        output.WriteLine("Optimization spots that changed:");
        WriteChanges(output, diff.Spots.Where(s => s.Kind != ChangeKind.Unchanged).Take(options.TopSpots).Select(s => (s.Frame, s.Share)));
        output.WriteLine();
        output.WriteLine("Frames that changed (self share, else total share):");
        WriteChanges(output, diff.Frames.Where(f => f.Kind != ChangeKind.Unchanged).Take(options.TopFrames).Select(f => (f.Name, f.Self.IsSignificant ? f.Self : f.Total)));
    }

    private static void WriteChanges(TextWriter output, IEnumerable<(string Name, ShareChange Change)> changes)
    {
        bool any = false;
        foreach ((string name, ShareChange change) in changes)
        {
            if (!any)
            {
                Line(output, $"  {"verdict",-11}  {"before",7}  {"after",7}  {"change",8}  {"p (adj.)",9}  frame");
                any = true;
            }

            string verdict = change.Kind == ChangeKind.Regression ? "regression" : "improvement";
            Line(output, $"  {verdict,-11}  {Percent(change.Before),7}  {Percent(change.After),7}  {SignedPoints(change.Delta),8}  {change.AdjustedPValue,9:0.###E+0}  {name}");
        }

        if (!any)
        {
            output.WriteLine("  none significant.");
        }
    }

    private static void WriteSelection(TextWriter output, AnalysisOptions options, int allRequests, int selected)
    {
        var parts = new List<string>();
        if (options.RequestId is { } id)
        {
            parts.Add($"request {id}");
        }

        if (options.Where is { } where)
        {
            parts.Add($"where {where.Expression}");
        }

        if (parts.Count > 0)
        {
            Line(output, $"Selection: {string.Join("; ", parts)} ({selected} of {Plural(allRequests, "request")}).");
        }

        IgnoreSet ignore = options.Ignore ?? IgnoreSet.None;
        output.WriteLine(ignore.IsEmpty
            ? "Frames: all kept (no ignore rule)."
            : $"Frames: {Plural(ignore.Rules.Count, "ignore rule")} applied (runtime plumbing dropped, see the JSON report's selection).");
    }

    private static void Line(TextWriter output, FormattableString text) => output.WriteLine(text.ToString(Invariant));

    private static string Processes(RecordSet set)
    {
        if (set.Processes.Count is 0 or > 3)
        {
            return string.Empty;
        }

        return " (" + string.Join(", ", set.Processes.Select(p =>
            string.Create(Invariant, $"{p.Name} pid {p.Pid}{(double.IsFinite(p.ThresholdMs) ? $", T {p.ThresholdMs:0} ms" : string.Empty)}{(double.IsFinite(p.IntervalMs) ? $", I {p.IntervalMs:0} ms" : string.Empty)}"))) + ")";
    }

    private static string SkippedSummary(SkippedLines skipped)
    {
        if (skipped.Total == 0)
        {
            return "no line skipped";
        }

        IEnumerable<string> reasons = skipped.ByReason().Where(r => r.Value > 0).Select(r => string.Create(Invariant, $"{r.Key} {r.Value}"));
        return string.Create(Invariant, $"{Plural(skipped.Total, "line")} skipped ({string.Join(", ", reasons)})");
    }

    private static void More(TextWriter output, int count, int shown, string what)
    {
        if (count > shown)
        {
            Line(output, $"  … {count - shown} more {what} (the JSON report lists all).");
        }
    }

    private static string Outcome(Request request) =>
        request.Status is { } status ? string.Create(Invariant, $"{request.Outcome} {status}") : request.Outcome;

    private static string Duration(double ms) => ms >= 1000
        ? string.Create(Invariant, $"{ms / 1000:0.000} s")
        : string.Create(Invariant, $"{ms:0} ms");

    private static string Percent(long part, long whole) => whole > 0 ? Percent((double)part / whole) : "-";

    private static string Percent(double share) => string.Create(Invariant, $"{share * 100:0.0} %");

    private static string SignedPoints(double delta) => string.Create(Invariant, $"{delta * 100:+0.0;-0.0;0.0} pt");

    private static string Interval(Share share) => string.Create(Invariant, $"[{share.Low * 100:0.0}, {share.High * 100:0.0}] %");

    private static string Plural(long count, string one, string? many = null) =>
        string.Create(Invariant, $"{count} {(count == 1 ? one : many ?? one + "s")}");
}

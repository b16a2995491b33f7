using System.Globalization;
using System.Text.Json;

namespace StatProf.Analysis.Internal.Rendering;

/// <summary>
/// The <c>report --format json</c> document (DESIGN.md, "Contracts"): one object with at least
/// <c>samples</c>, <c>frames</c> (<c>{name, self, total}</c> by self descending) and <c>spots</c>
/// (<c>{frame, seconds, requests}</c> by seconds descending), plus shares with their intervals,
/// the requests, and what was skipped. Written with <see cref="Utf8JsonWriter"/> and its default
/// (HTML-safe) escaping, so frame names such as <c>&lt;Main&gt;$</c> can never break out of a page
/// that embeds the document.
/// </summary>
internal static class JsonReport
{
    public const string FormatName = "statprof-report";
    public const string DiffFormatName = "statprof-diff";
    public const int Version = 1;

    public static void Write(Profile profile, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("format", FormatName);
        json.WriteNumber("version", Version);
        json.WriteNumber("samples", profile.Samples);
        WriteStates(json, "states", profile.States);
        json.WriteNumber("requestCount", profile.Requests.Count);
        json.WriteNumber("skippedLines", profile.Set.Skipped.Total);
        json.WriteStartObject("skipped");
        foreach ((string reason, long count) in profile.Set.Skipped.ByReason())
        {
            json.WriteNumber(reason, count);
        }

        json.WriteEndObject();
        json.WriteNumber("confidence", profile.Options.ConfidenceLevel);
        WriteSelection(json, profile.Options);
        WriteBoundary(json, profile.Boundary);

        json.WriteStartArray("spots");
        foreach (Spot spot in profile.Spots)
        {
            json.WriteStartObject();
            json.WriteString("frame", spot.Frame);
            json.WriteNumber("seconds", Seconds(spot.Seconds));
            json.WriteNumber("requests", spot.Requests);
            json.WriteNumber("intervals", spot.Intervals);
            WriteShare(json, "share", "interval", spot.Share);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("frames");
        foreach (FrameStat frame in profile.Frames)
        {
            json.WriteStartObject();
            json.WriteString("name", frame.Name);
            json.WriteNumber("self", frame.Self);
            json.WriteNumber("total", frame.Total);
            WriteShare(json, "selfShare", "selfInterval", frame.SelfShare);
            WriteShare(json, "totalShare", "totalInterval", frame.TotalShare);
            WriteStates(json, "selfStates", frame.SelfStates);
            if (frame.Module.Length > 0)
            {
                json.WriteString("module", frame.Module);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("requests");
        foreach (RequestSummary summary in profile.Requests)
        {
            WriteRequest(json, summary);
        }

        json.WriteEndArray();
        WriteSources(json, profile.Set);
        json.WriteEndObject();
    }

    public static void Write(ProfileDiff diff, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("format", DiffFormatName);
        json.WriteNumber("version", Version);
        json.WriteNumber("alpha", diff.Options.Alpha);
        json.WriteNumber("minimumChange", diff.Options.MinimumChange);
        json.WriteStartObject("before");
        json.WriteNumber("samples", diff.Before.Samples);
        json.WriteNumber("requestCount", diff.Before.Requests.Count);
        json.WriteNumber("intervals", diff.Before.Boundary.Intervals);
        json.WriteEndObject();
        json.WriteStartObject("after");
        json.WriteNumber("samples", diff.After.Samples);
        json.WriteNumber("requestCount", diff.After.Requests.Count);
        json.WriteNumber("intervals", diff.After.Boundary.Intervals);
        json.WriteEndObject();

        json.WriteStartArray("spots");
        foreach (SpotChange spot in diff.Spots)
        {
            json.WriteStartObject();
            json.WriteString("frame", spot.Frame);
            json.WriteString("kind", Kind(spot.Kind));
            json.WriteNumber("secondsBefore", Seconds(spot.SecondsBefore));
            json.WriteNumber("secondsAfter", Seconds(spot.SecondsAfter));
            json.WriteNumber("requestsBefore", spot.RequestsBefore);
            json.WriteNumber("requestsAfter", spot.RequestsAfter);
            WriteChange(json, spot.Share);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("frames");
        foreach (FrameChange frame in diff.Frames)
        {
            json.WriteStartObject();
            json.WriteString("name", frame.Name);
            json.WriteString("kind", Kind(frame.Kind));
            json.WriteNumber("selfBefore", frame.SelfBefore);
            json.WriteNumber("selfAfter", frame.SelfAfter);
            json.WriteNumber("totalBefore", frame.TotalBefore);
            json.WriteNumber("totalAfter", frame.TotalAfter);
            json.WriteStartObject("self");
            WriteChange(json, frame.Self);
            json.WriteEndObject();
            json.WriteStartObject("total");
            WriteChange(json, frame.Total);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteChange(Utf8JsonWriter json, ShareChange change)
    {
        json.WriteNumber("before", Share(change.Before));
        json.WriteNumber("after", Share(change.After));
        json.WriteNumber("delta", Share(change.Delta));
        json.WriteNumber("z", Math.Round(change.Z, 4));
        json.WriteNumber("pValue", Probability(change.PValue));
        json.WriteNumber("adjustedPValue", Probability(change.AdjustedPValue));
        json.WriteBoolean("significant", change.IsSignificant);
    }

    private static void WriteSelection(Utf8JsonWriter json, AnalysisOptions options)
    {
        json.WriteStartObject("selection");
        if (options.Where is { } where)
        {
            json.WriteString("where", where.Expression);
        }
        else
        {
            json.WriteNull("where");
        }

        if (options.RequestId is { } id)
        {
            json.WriteString("request", id);
        }
        else
        {
            json.WriteNull("request");
        }

        json.WriteStartArray("ignore");
        foreach (IgnoreRule rule in (options.Ignore ?? IgnoreSet.None).Rules)
        {
            json.WriteStringValue(rule.ToString());
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteBoundary(Utf8JsonWriter json, BoundaryStats boundary)
    {
        json.WriteStartObject("boundary");
        json.WriteNumber("intervals", boundary.Intervals);
        json.WriteNumber("seconds", Seconds(boundary.Seconds));
        json.WriteNumber("noCommonFrame", boundary.NoCommonFrame);
        json.WriteNumber("noCommonFrameSeconds", Seconds(boundary.NoCommonFrameSeconds));
        json.WriteNumber("singleSampleRequests", boundary.SingleSampleRequests);
        json.WriteNumber("badIntervals", boundary.BadIntervals);
        json.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter json, RequestSummary summary)
    {
        Request request = summary.Request;
        json.WriteStartObject();
        json.WriteNumber("pid", request.ProcessId);
        json.WriteString("id", request.Id);
        json.WriteString("kind", request.Kind);
        json.WriteString("name", request.Name);
        WriteTime(json, "startedAt", request.StartedAt);
        json.WriteNumber("durationMs", Math.Round(request.EffectiveDurationMs, 3));
        json.WriteBoolean("ended", request.Ended);
        json.WriteString("outcome", request.Outcome);
        if (request.Status is { } status)
        {
            json.WriteNumber("status", status);
        }
        else
        {
            json.WriteNull("status");
        }

        WriteNullableString(json, "error", request.Error);
        WriteNullableString(json, "traceId", request.TraceId);
        json.WriteNumber("samples", request.Samples);
        WriteStates(json, "states", request.States);
        json.WriteStartArray("threads");
        foreach (ThreadRef thread in request.Threads)
        {
            json.WriteNumberValue(thread.Os);
        }

        json.WriteEndArray();
        if (summary.TopSpot is { } spot)
        {
            json.WriteStartObject("spot");
            json.WriteString("frame", spot.Frame);
            json.WriteNumber("seconds", Seconds(spot.Seconds));
            WriteShare(json, "share", "interval", spot.Share);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("spot");
        }

        if (summary.TopSelfFrame is { } leaf)
        {
            json.WriteStartObject("topSelf");
            json.WriteString("frame", leaf);
            json.WriteNumber("samples", summary.TopSelfSamples);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("topSelf");
        }

        json.WriteStartObject("tags");
        foreach ((string key, string value) in request.Tags)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteString("source", request.Source);
        json.WriteEndObject();
    }

    private static void WriteSources(Utf8JsonWriter json, RecordSet set)
    {
        json.WriteStartArray("sources");
        foreach (RecordSource source in set.Sources)
        {
            json.WriteStartObject();
            json.WriteString("name", source.Name);
            json.WriteNumber("bytes", source.Bytes);
            json.WriteNumber("lines", source.Lines);
            json.WriteNumber("records", source.Records);
            json.WriteNumber("skippedLines", source.Skipped.Total);
            json.WriteBoolean("hasHeader", source.HasHeader);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("processes");
        foreach (ProcessInfo process in set.Processes)
        {
            json.WriteStartObject();
            json.WriteNumber("pid", process.Pid);
            json.WriteString("name", process.Name);
            json.WriteString("runtime", process.Runtime);
            WriteNumberOrNull(json, "thresholdMs", process.ThresholdMs);
            WriteNumberOrNull(json, "intervalMs", process.IntervalMs);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("loggerDroppedRecords", set.LoggerDroppedRecords);
        json.WriteNumber("truncatedStacks", set.TruncatedStacks);
        json.WriteStartArray("warnings");
        foreach (string warning in set.Warnings)
        {
            json.WriteStringValue(warning);
        }

        json.WriteEndArray();
    }

    private static void WriteStates(Utf8JsonWriter json, string name, StateCounts states)
    {
        json.WriteStartObject(name);
        json.WriteNumber("running", states.Running);
        json.WriteNumber("waiting", states.Waiting);
        json.WriteNumber("awaiting", states.Awaiting);
        json.WriteEndObject();
    }

    private static void WriteShare(Utf8JsonWriter json, string valueName, string intervalName, Share share)
    {
        json.WriteNumber(valueName, Share(share.Value));
        json.WriteStartArray(intervalName);
        json.WriteNumberValue(Share(share.Low));
        json.WriteNumberValue(Share(share.High));
        json.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTime? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, t.ToString("O", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullableString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Kind(ChangeKind kind) => kind switch
    {
        ChangeKind.Regression => "regression",
        ChangeKind.Improvement => "improvement",
        _ => "unchanged",
    };

    private static double Share(double value) => Math.Round(value, 6);

    private static double Seconds(double value) => Math.Round(value, 3);

    /// <summary>p-values keep their magnitude when tiny (1e-30 is not 0).</summary>
    private static double Probability(double value) => value < 1e-6 ? double.Parse(value.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : Math.Round(value, 6);
}

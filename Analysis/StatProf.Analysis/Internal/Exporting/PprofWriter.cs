using System.IO.Compression;
using Google.Protobuf;
using StatProf.Analysis.Internal.Aggregation;
using PprofProfile = StatProf.Analysis.Internal.Exporting.Pprof.Profile;

namespace StatProf.Analysis.Internal.Exporting;

/// <summary>
/// Writes a gzipped pprof <c>profile.proto</c> (go tool pprof, Pyroscope, Parca, Grafana). Two sample
/// types: <c>samples/count</c> (the default one) and <c>wall/nanoseconds</c>, each sample's count
/// times its request's dump interval (the process header's interval I; without a header, the
/// request's mean interval between dumps; 0 for untimed imports such as folded stacks). One location
/// per frame with its source line (by method the frame's first line; with <c>--by-line</c> each line
/// is a frame, so a location; 0 when unknown), one function per method (the source file as its file
/// name, or the module when no line is known), in one mapping named after the process (its functions already resolved);
/// one sample per (request, stack, state), labelled <c>request</c> (id), <c>request_name</c> and
/// <c>state</c> (running, waiting, awaiting), so <c>-tagfocus</c> and <c>-tagshow</c> work. Samples
/// without frames are attributed to a <c>[no frames]</c> function.
/// </summary>
internal static class PprofWriter
{
    public static void Write(Profile profile, Stream output)
    {
        PprofProfile proto = Build(profile);
        using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
        proto.WriteTo(gzip);
    }

    public static PprofProfile Build(Profile profile)
    {
        var stacks = new ProfileStacks(profile);
        var strings = new StringTable();
        var proto = new PprofProfile();
        proto.SampleType.Add(new Pprof.ValueType { Type = strings["samples"], Unit = strings["count"] });
        proto.SampleType.Add(new Pprof.ValueType { Type = strings["wall"], Unit = strings["nanoseconds"] });
        proto.DefaultSampleType = strings["samples"];
        proto.PeriodType = new Pprof.ValueType { Type = strings["wall"], Unit = strings["nanoseconds"] };

        // One mapping stands for the managed code of the process(es): frames are resolved to
        // functions already, so readers need no binary (and do not ask for one).
        string binary = profile.Set.Processes.Count > 0 && profile.Set.Processes[0].Name.Length > 0 ? profile.Set.Processes[0].Name : "managed code";
        proto.Mapping.Add(new Pprof.Mapping { Id = 1, Filename = strings[binary], HasFunctions = true });
        var locationOf = new Dictionary<int, ulong>(); // frame id (or -1 for [no frames]) -> location id
        var functionOf = new Dictionary<string, ulong>(StringComparer.Ordinal); // method and file -> function id
        FrameTable frames = stacks.Frames;
        long requestKey = strings["request"], nameKey = strings["request_name"], stateKey = strings["state"];
        long[] stateNames = [strings["running"], strings["waiting"], strings["awaiting"]];
        DateTime? first = null, last = null;
        foreach (Request request in stacks.Requests)
        {
            double intervalMs = IntervalMs(profile.Set, request);
            long intervalNs = (long)Math.Round(intervalMs * 1e6);
            if (proto.Period == 0 && intervalNs > 0)
            {
                proto.Period = intervalNs;
            }

            if (request.Start is { } start && (first is null || start < first))
            {
                first = start;
            }

            if (request.End is { } end && (last is null || end > last))
            {
                last = end;
            }

            foreach ((int stack, StateTally tally) in stacks.StacksOf(request))
            {
                int[] stackFrames = stacks.FramesOf(stack);
                var locations = new List<ulong>(Math.Max(1, stackFrames.Length));
                for (int i = stackFrames.Length - 1; i >= 0; i--)
                {
                    locations.Add(Location(proto, strings, locationOf, functionOf, stackFrames[i], frames));
                }

                if (locations.Count == 0)
                {
                    locations.Add(Location(proto, strings, locationOf, functionOf, -1, frames));
                }

                int[] counts = [tally.Running, tally.Waiting, tally.Awaiting];
                for (int state = 0; state < counts.Length; state++)
                {
                    if (counts[state] == 0)
                    {
                        continue;
                    }

                    var sample = new Pprof.Sample();
                    sample.LocationId.AddRange(locations);
                    sample.Value.Add(counts[state]);
                    sample.Value.Add(counts[state] * intervalNs);
                    sample.Label.Add(new Pprof.Label { Key = requestKey, Str = strings[request.Id] });
                    if (request.Name.Length > 0)
                    {
                        sample.Label.Add(new Pprof.Label { Key = nameKey, Str = strings[request.Name] });
                    }

                    sample.Label.Add(new Pprof.Label { Key = stateKey, Str = stateNames[state] });
                    proto.Sample.Add(sample);
                }
            }
        }

        if (first is { } from)
        {
            proto.TimeNanos = (from - DateTime.UnixEpoch).Ticks * 100;
            if (last is { } to && to > from)
            {
                proto.DurationNanos = (to - from).Ticks * 100;
            }
        }

        proto.Comment.Add(strings[$"statprof: {profile.Requests.Count} requests, {profile.Samples} samples; one sample is one dump of a slow request's stack"]);
        proto.StringTable.AddRange(strings.Strings);
        return proto;
    }

    /// <summary>The time one sample of a request stands for, in ms (0 when unknown).</summary>
    private static double IntervalMs(RecordSet set, Request request)
    {
        foreach (ProcessInfo process in set.Processes)
        {
            if (process.Pid == request.ProcessId && double.IsFinite(process.IntervalMs) && process.IntervalMs > 0)
            {
                return process.IntervalMs;
            }
        }

        double span = request.LastElapsedMs - request.FirstElapsedMs;
        return request.Samples >= 2 && span > 0 ? span / (request.Samples - 1) : 0;
    }

    private static ulong Location(PprofProfile proto, StringTable strings, Dictionary<int, ulong> locationOf, Dictionary<string, ulong> functionOf, int frame, FrameTable frames)
    {
        if (locationOf.TryGetValue(frame, out ulong id))
        {
            return id;
        }

        id = (ulong)locationOf.Count + 1;
        locationOf[frame] = id;

        // A function per method (by line, the lines of a method share it), its file the source file
        // where known (else the module); a location per frame, with the frame's line (by line: its
        // own; by method: the first seen; 0 when unknown), so -lines and -list can use them.
        string method = frame < 0 ? FoldedWriter.NoFrames : frames.MethodName(frame);
        string? file = frame < 0 ? null : frames.File(frame);
        string functionKey = method + "\n" + (file ?? (frame < 0 ? string.Empty : frames.Module(frame)));
        if (!functionOf.TryGetValue(functionKey, out ulong functionId))
        {
            functionId = functionOf[functionKey] = (ulong)functionOf.Count + 1;
            long nameIndex = strings[method];
            proto.Function.Add(new Pprof.Function
            {
                Id = functionId,
                Name = nameIndex,
                SystemName = nameIndex,
                Filename = frame < 0 ? 0 : strings[file ?? frames.Module(frame)],
            });
        }

        var location = new Pprof.Location { Id = id, MappingId = 1 };
        location.Line.Add(new Pprof.Line { FunctionId = functionId, Line_ = frame < 0 ? 0 : frames.Line(frame) });
        proto.Location.Add(location);
        return id;
    }

    /// <summary>The profile's string table: index 0 is the empty string, each string stored once.</summary>
    private sealed class StringTable
    {
        private readonly Dictionary<string, long> _index = new(StringComparer.Ordinal) { [string.Empty] = 0 };

        public List<string> Strings { get; } = [string.Empty];

        public long this[string value]
        {
            get
            {
                if (!_index.TryGetValue(value, out long index))
                {
                    index = _index[value] = Strings.Count;
                    Strings.Add(value);
                }

                return index;
            }
        }
    }
}

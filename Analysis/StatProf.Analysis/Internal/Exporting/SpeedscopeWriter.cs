using System.Text.Json;
using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Exporting;

/// <summary>
/// Writes the speedscope file format (https://www.speedscope.app/file-format-schema.json): frames
/// shared by all profiles, one <c>sampled</c> profile per selected request, named
/// <c>request name (id)</c>, in the profile's order (slowest first). Weights are sample counts
/// (unit <c>none</c>): one sample is one dump, taken every interval I of the recording. A request
/// keeps counts per stack, not the sequence of its dumps, so each distinct stack is one weighted
/// sample, in first-seen order: speedscope's "Left Heavy" and "Sandwich" views are exact, its
/// "Time Order" view is not a timeline.
/// </summary>
internal static class SpeedscopeWriter
{
    public const string Schema = "https://www.speedscope.app/file-format-schema.json";

    public static void Write(Profile profile, Utf8JsonWriter json)
    {
        var stacks = new ProfileStacks(profile);
        var frameIndex = new Dictionary<int, int>();
        var frameOrder = new List<int>();
        var profiles = new List<(string Name, List<(int[] Frames, long Weight)> Samples)>();
        foreach (Request request in stacks.Requests)
        {
            var samples = new List<(int[] Frames, long Weight)>();
            foreach ((int stack, StateTally tally) in stacks.StacksOf(request))
            {
                if (tally.Total == 0)
                {
                    continue;
                }

                int[] frames = stacks.FramesOf(stack);
                for (int i = 0; i < frames.Length; i++)
                {
                    if (!frameIndex.TryGetValue(frames[i], out int index))
                    {
                        index = frameIndex[frames[i]] = frameOrder.Count;
                        frameOrder.Add(frames[i]);
                    }

                    frames[i] = index;
                }

                samples.Add((frames, tally.Total));
            }

            if (samples.Count > 0)
            {
                profiles.Add((ProfileName(request), samples));
            }
        }

        json.WriteStartObject();
        json.WriteString("$schema", Schema);
        json.WriteString("exporter", "statprof");
        json.WriteString("name", SetName(profile.Set));
        json.WriteNumber("activeProfileIndex", 0);
        json.WriteStartObject("shared");
        json.WriteStartArray("frames");
        FrameTable table = stacks.Frames;
        foreach (int frame in frameOrder)
        {
            json.WriteStartObject();
            json.WriteString("name", table.Name(frame));
            if (table.File(frame) is { } file)
            {
                // The source file and line (by method: the frame's first line seen).
                json.WriteString("file", file);
                json.WriteNumber("line", table.Line(frame));
            }
            else if (table.Module(frame).Length > 0)
            {
                json.WriteString("file", table.Module(frame));
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("profiles");
        foreach ((string name, List<(int[] Frames, long Weight)> samples) in profiles)
        {
            json.WriteStartObject();
            json.WriteString("type", "sampled");
            json.WriteString("name", name);
            json.WriteString("unit", "none");
            json.WriteNumber("startValue", 0);
            json.WriteNumber("endValue", samples.Sum(s => s.Weight));
            json.WriteStartArray("samples");
            foreach ((int[] frames, _) in samples)
            {
                json.WriteStartArray();
                foreach (int frame in frames)
                {
                    json.WriteNumberValue(frame);
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteStartArray("weights");
            foreach ((_, long weight) in samples)
            {
                json.WriteNumberValue(weight);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string ProfileName(Request request) =>
        request.Name.Length == 0 ? request.Id : $"{request.Name} ({request.Id})";

    private static string SetName(RecordSet set) => set.Sources.Count switch
    {
        0 => "statprof",
        1 => $"statprof: {Path.GetFileName(set.Sources[0].Name)}",
        _ => $"statprof: {Path.GetFileName(set.Sources[0].Name)} and {set.Sources.Count - 1} more",
    };
}

using System.Text;
using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Exporting;

/// <summary>
/// Writes folded stacks, the input of flamegraph.pl and inferno: one line per distinct stack,
/// <c>root;caller;leaf count</c>, counts summed over the selected requests. Lines are sorted by
/// their stack text (ordinal), so the same input always gives the same file. A frame name cannot
/// break the format: <c>;</c> (the separator) becomes <c>:</c>, as other exporters do, and line
/// breaks and tabs become spaces. A sample without frames is written as <c>[no frames]</c>.
/// </summary>
internal static class FoldedWriter
{
    /// <summary>The stand-in for a sample whose stack has no frame (after ignore rules).</summary>
    public const string NoFrames = "[no frames]";

    public static void Write(Profile profile, TextWriter output)
    {
        var stacks = new ProfileStacks(profile);
        var lineOf = new Dictionary<int, string>();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (Request request in stacks.Requests)
        {
            foreach ((int stack, StateTally tally) in stacks.StacksOf(request))
            {
                if (!lineOf.TryGetValue(stack, out string? line))
                {
                    line = lineOf[stack] = Join(stacks.FramesOf(stack), stacks.Frames, text);
                }

                counts[line] = counts.GetValueOrDefault(line) + tally.Total;
            }
        }

        foreach ((string line, long count) in counts.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (count > 0)
            {
                output.Write(line);
                output.Write(' ');
                output.Write(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                output.Write('\n');
            }
        }
    }

    /// <summary>A frame name made safe for a folded line.</summary>
    public static string Sanitize(string name)
    {
        if (name.AsSpan().IndexOfAny(";\r\n\t") < 0)
        {
            return name;
        }

        return name.Replace(';', ':').Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
    }

    private static string Join(int[] frames, FrameTable table, StringBuilder text)
    {
        if (frames.Length == 0)
        {
            return NoFrames;
        }

        text.Clear();
        for (int i = 0; i < frames.Length; i++)
        {
            if (i > 0)
            {
                text.Append(';');
            }

            text.Append(Sanitize(table.Name(frames[i])));
        }

        return text.ToString();
    }
}

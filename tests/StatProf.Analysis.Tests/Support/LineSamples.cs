using System.Text.Json.Nodes;

namespace StatProf.Analysis.Tests.Support;

/// <summary>
/// A record file whose frames carry source lines (as a portable PDB gives them): one request of six
/// dumps in which PriceAll calls PriceLine at line 13 (PriceLine at its line 26 three times, at 27
/// once) and runs its own line 15 twice. Main has no line.
/// </summary>
internal static class LineSamples
{
    public const string Main = "Program.Main()";
    public const string PriceAll = "Shop.Pricing.PriceAll(int32)";
    public const string PriceLine = "Shop.Pricing.PriceLine(int32)";
    public const string File = "/src/Shop/Pricing.cs";

    public static List<string> PricingLines()
    {
        var request = new FakeRequest("r1");
        (string, string?, int) main = (Main, null, 0);
        return
        [
            Records.Header(),
            WithLines(request.Dump(1, Main, PriceAll, PriceLine), main, (PriceAll, File, 13), (PriceLine, File, 26)),
            WithLines(request.Dump(2, Main, PriceAll, PriceLine), main, (PriceAll, File, 13), (PriceLine, File, 26)),
            WithLines(request.Dump(3, Main, PriceAll, PriceLine), main, (PriceAll, File, 13), (PriceLine, File, 27)),
            WithLines(request.Dump(4, Main, PriceAll), main, (PriceAll, File, 15)),
            WithLines(request.Dump(5, Main, PriceAll, PriceLine), main, (PriceAll, File, 13), (PriceLine, File, 26)),
            WithLines(request.Dump(6, Main, PriceAll), main, (PriceAll, File, 15)),
            request.End(8_000),
        ];
    }

    /// <summary>A dump line with <c>file</c> and <c>line</c> added to its frames (root first; a null file: no line).</summary>
    public static string WithLines(string dump, params (string Name, string? File, int Line)[] frames)
    {
        JsonNode record = JsonNode.Parse(dump)!;
        JsonArray array = record["frames"]!.AsArray();
        if (array.Count != frames.Length)
        {
            throw new ArgumentException($"the dump has {array.Count} frames, {frames.Length} given", nameof(frames));
        }

        for (int i = 0; i < frames.Length; i++)
        {
            if ((string?)array[i]!["name"] != frames[i].Name)
            {
                throw new ArgumentException($"frame {i} is {array[i]!["name"]}, not {frames[i].Name}", nameof(frames));
            }

            if (frames[i].File is { } file)
            {
                array[i]!["file"] = file;
                array[i]!["line"] = frames[i].Line;
            }
        }

        return record.ToJsonString();
    }
}

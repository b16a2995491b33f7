using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using StatProf.Cli.Tests.Record;

namespace StatProf.Cli.Tests.Hostile;

/// <summary>
/// The hostile inputs of docs/reliability.md, written once into a temporary directory: each is a
/// real file as a broken disk, a truncated copy or an attacker would leave it.
/// </summary>
public sealed class HostileFiles : IDisposable
{
    public const int HugeLineBytes = 100 * 1024 * 1024;
    public const int Depth = 10_000;

    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-hostile-").FullName;

    public HostileFiles()
    {
        Valid = Write("valid.jsonl", string.Concat(ValidLines("valid").Select(l => l + "\n")));

        // A record file cut mid-line (a crash of the writer, a copy stopped half-way).
        string whole = string.Concat(ValidLines("cut").Select(l => l + "\n"));
        Truncated = Write("truncated.jsonl", whole[..(whole.Length - 40)]);

        // One line of 100 MB between valid ones (a frame name gone mad, or an attack on the reader's memory).
        HugeLine = Path.Combine(_directory, "huge-line.jsonl");
        using (var file = new FileStream(HugeLine, FileMode.CreateNew))
        {
            string[] lines = ValidLines("huge");
            file.Write(Encoding.UTF8.GetBytes(lines[0] + "\n"));
            file.Write("{\"type\":\"dump\",\"frames\":[{\"name\":\""u8);
            byte[] chunk = Enumerable.Repeat((byte)'a', 1 << 20).ToArray();
            for (int i = 0; i < HugeLineBytes >> 20; i++)
            {
                file.Write(chunk);
            }

            file.Write("\"}]}\n"u8);
            file.Write(Encoding.UTF8.GetBytes(string.Concat(lines.Skip(1).Select(l => l + "\n"))));
        }

        // JSON nested 10 000 deep: arrays, objects, and a dump whose request nests.
        Deep = Write("deep.jsonl", string.Concat(ValidLines("deep").Select(l => l + "\n"))
            + new string('[', Depth) + new string(']', Depth) + "\n"
            + string.Concat(Enumerable.Repeat("{\"a\":", Depth)) + "1" + new string('}', Depth) + "\n"
            + "{\"type\":\"dump\",\"request\":" + string.Concat(Enumerable.Repeat("{\"id\":", Depth)) + "1" + new string('}', Depth + 1) + "\n");

        // Invalid UTF-8 inside strings and keys, overlong encodings, lone surrogates, a NUL.
        InvalidUtf8 = Path.Combine(_directory, "invalid-utf8.jsonl");
        using (var file = new FileStream(InvalidUtf8, FileMode.CreateNew))
        {
            string[] lines = ValidLines("utf8");
            file.Write(Encoding.UTF8.GetBytes(lines[0] + "\n"));
            // Latin-1 maps each char to the byte of the same value: these are raw, invalid UTF-8 bytes.
            file.Write(Encoding.Latin1.GetBytes("{\"type\":\"dump\",\"frames\":[{\"name\":\"\u00ff\u00fe\"}]}\n"));
            file.Write(Encoding.Latin1.GetBytes("{\"type\":\"stack\",\"id\":1,\"frames\":[{\"name\":\"\u00c0\u00af\"}]}\n"));
            file.Write(Encoding.Latin1.GetBytes("{\"ty\u00edpe\":\"\u00ed\u00a0\u0080\"}\n"));
            file.Write(Encoding.Latin1.GetBytes("\u0000\u0000\u0000{}\n"));
            file.Write(Encoding.UTF8.GetBytes(string.Concat(lines.Skip(1).Select(l => l + "\n"))));
        }

        // Every field with the wrong JSON type.
        WrongTypes = Write("wrong-types.jsonl", string.Concat(ValidLines("types").Select(l => l + "\n")) + string.Join("\n",
            "{\"type\":7}",
            "{\"type\":\"dump\",\"time\":[],\"request\":\"x\",\"elapsedMs\":{}}",
            "{\"type\":\"stack\",\"id\":\"seven\",\"frames\":{}}",
            "{\"type\":\"stack\",\"id\":9,\"frames\":[1,2,3]}",
            "{\"type\":\"dump\",\"stack\":-1,\"elapsedMs\":\"NaN\",\"request\":{\"id\":3}}",
            "{\"type\":\"end\",\"requestId\":null,\"elapsedMs\":1e999}",
            "{\"type\":\"same\",\"dump\":99999999999999999999,\"requestId\":[]}",
            "{\"type\":\"header\",\"version\":-3,\"process\":{\"pid\":\"x\"}}",
            "null", "[]", "\"\"", "{}", "true") + "\n");

        // Folded stacks whose lines turn into binary garbage (the random bytes are fixed by a seed).
        var random = new Random(8);
        var garbage = new byte[64 * 1024];
        random.NextBytes(garbage);
        GarbageFolded = Path.Combine(_directory, "garbage.folded");
        using (var file = new FileStream(GarbageFolded, FileMode.CreateNew))
        {
            file.Write("Main;Orders.Price;Math.Sqrt 12\nMain;Orders.Load 3\n"u8);
            file.Write(garbage);
            file.Write("\nMain;Orders.Load 5\n"u8);
        }
    }

    public string Valid { get; }

    public string Truncated { get; }

    public string HugeLine { get; }

    public string Deep { get; }

    public string InvalidUtf8 { get; }

    public string WrongTypes { get; }

    public string GarbageFolded { get; }

    public string Root => _directory;

    /// <summary>A real .nettrace capture of BusyTarget (as dotnet-trace records one), then cut in half.</summary>
    public async Task<(string Whole, string Half)> NetTraceAsync()
    {
        string whole = Path.Combine(_directory, "busy.nettrace");
        string half = Path.Combine(_directory, "half.nettrace");
        if (!File.Exists(half))
        {
            using Process target = Targets.StartBusyTarget(30);
            try
            {
                var client = new DiagnosticsClient(target.Id);
                var providers = new List<EventPipeProvider>
                {
                    new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0x18),
                    new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
                };
                using EventPipeSession session = client.StartEventPipeSession(providers, requestRundown: true);
                await using (FileStream file = File.Create(whole))
                {
                    Task copy = session.EventStream.CopyToAsync(file);
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    await session.StopAsync(CancellationToken.None); // the stream is being read: Stop can flush
                    await copy.WaitAsync(TimeSpan.FromSeconds(30));
                }
            }
            finally
            {
                Targets.Stop(target);
            }

            byte[] bytes = await File.ReadAllBytesAsync(whole);
            await File.WriteAllBytesAsync(half, bytes[..(bytes.Length / 2)]);
        }

        return (whole, half);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A header, a slow request with a stack, two dumps and its end: format version 2.</summary>
    private static string[] ValidLines(string id) =>
    [
        "{\"type\":\"header\",\"time\":\"2026-11-22T03:00:00Z\",\"format\":\"statprof-records\",\"version\":2,\"process\":{\"pid\":7,\"name\":\"Shop\",\"runtime\":\".NET 10.0.12\"},\"thresholdMs\":2000,\"intervalMs\":1000,\"continuation\":false}",
        "{\"type\":\"stack\",\"time\":\"2026-11-22T03:00:02Z\",\"id\":1,\"truncated\":false,\"frames\":[{\"name\":\"Shop.Program.Main()\",\"module\":\"Shop\"},{\"name\":\"Shop.Orders.Price(int)\",\"module\":\"Shop\"}],\"traceback\":\"   at Shop.Orders.Price(int)\\n   at Shop.Program.Main()\"}",
        $"{{\"type\":\"dump\",\"time\":\"2026-11-22T03:00:02Z\",\"elapsedMs\":2000.5,\"dump\":1,\"thread\":{{\"os\":11,\"managed\":3}},\"state\":\"running\",\"stack\":1,\"request\":{{\"id\":\"{id}\",\"kind\":\"http\",\"name\":\"GET /orders\",\"start\":\"2026-11-22T03:00:00Z\"}}}}",
        $"{{\"type\":\"dump\",\"time\":\"2026-11-22T03:00:03Z\",\"elapsedMs\":3000.5,\"dump\":2,\"thread\":{{\"os\":11,\"managed\":3}},\"state\":\"running\",\"stack\":1,\"request\":{{\"id\":\"{id}\",\"kind\":\"http\",\"name\":\"GET /orders\",\"start\":\"2026-11-22T03:00:00Z\"}}}}",
        $"{{\"type\":\"end\",\"time\":\"2026-11-22T03:00:03.5Z\",\"durationMs\":3500,\"dumps\":2,\"outcome\":\"ok\",\"status\":200,\"error\":null,\"request\":{{\"id\":\"{id}\",\"kind\":\"http\",\"name\":\"GET /orders\",\"start\":\"2026-11-22T03:00:00Z\"}}}}",
    ];
}

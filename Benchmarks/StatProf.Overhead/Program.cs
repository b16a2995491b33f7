// The overhead harness: what embedding StatProf costs a running process, side by side with no
// profiler and with dotnet-trace, in one run (docs/overhead.md).
//
//   dotnet run -c Release --project Benchmarks/StatProf.Overhead -- [--quick | --smoke] [-o DIR] [--dotnet-trace PATH]
//
// The same binary is also the child workloads the driver starts (`cpu …`, `shop …`, an internal
// protocol: see Workloads/ChildProtocol.cs); their arguments are parsed by hand because only the
// driver passes them.
using System.CommandLine;
using StatProf.Overhead.Harness;
using StatProf.Overhead.Workloads;

if (args.Length > 0 && args[0] == "cpu")
{
    return CpuChild.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "shop")
{
    return await ShopChild.RunAsync(args[1..]);
}

var quick = new Option<bool>("--quick") { Description = "Under 2 minutes: 2 rounds, short runs, 2 thread counts." };
var smoke = new Option<bool>("--smoke") { Description = "About a minute: every configuration once (CI's smoke test)." };
var output = new Option<string>("--output", "-o")
{
    Description = "Folder for results.json, results.md and the SVG plots.",
    DefaultValueFactory = _ => "overhead-results",
};
var dotnetTrace = new Option<string?>("--dotnet-trace") { Description = "Path of dotnet-trace (default: .tools/dotnet-trace, ~/.dotnet/tools, else installed into .tools)." };
var workloads = new Option<string[]>("--workloads")
{
    Description = "Which parts to run: cpu, shop (closed loops), shop-rate (fixed request rate), pause (default: cpu shop-rate pause).",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => ["cpu", "shop-rate", "pause"],
};
workloads.AcceptOnlyFromAmong(Plan.AllWorkloads);
var profilers = new Option<string[]>("--profilers")
{
    Description = "Which configurations of the cpu and shop parts to run, by key (default: all but dotnet-trace-10ms; none is always run, as the baseline).",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => [.. Plan.DefaultProfilers.Select(p => p.Key())],
};
profilers.AcceptOnlyFromAmong([.. Plan.Profilers.Select(p => p.Key())]);
var replot = new Option<string?>("--replot") { Description = "Write results and plots again from a runs.jsonl of an earlier run, without running anything.", Hidden = true };
var root = new RootCommand("Measures StatProf's overhead (idle, sampling at 1/10/100 ms ticks) against no profiler and dotnet-trace, and the stop-the-world pause per tick versus thread count.")
{
    quick, smoke, output, dotnetTrace, workloads, profilers, replot,
};
root.SetAction(async (parse, cancel) =>
{
    Plan plan = parse.GetValue(smoke) ? Plan.Smoke : parse.GetValue(quick) ? Plan.Quick : Plan.Full;
    plan = plan with
    {
        Workloads = [.. parse.GetValue(workloads)!],
        Configurations = [Profiler.None, .. Plan.Profilers.Where(p => p != Profiler.None && parse.GetValue(profilers)!.Contains(p.Key()))],
    };
    string folder = Path.GetFullPath(parse.GetValue(output)!);
    if (parse.GetValue(replot) is { } raw)
    {
        List<RunRecord> old = [.. File.ReadLines(raw).Select(line => System.Text.Json.JsonSerializer.Deserialize(line, ResultJson.Default.RunRecord)!)];
        ResultsWriter.Write(folder, plan, File.GetCreationTimeUtc(raw), TimeSpan.Zero, old);
        return 0;
    }

    string scratch = Path.Combine(Path.GetTempPath(), $"statprof-overhead-{Environment.ProcessId}");
    try
    {
        string tool = DotnetTrace.Locate(parse.GetValue(dotnetTrace), Console.Out);
        Directory.CreateDirectory(scratch);
        DateTime started = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Console.WriteLine($"overhead harness, {plan.Name} mode: results into {folder}");
        Directory.CreateDirectory(folder);
        string rawLog = Path.Combine(folder, "runs.jsonl");
        File.Delete(rawLog);
        List<RunRecord> runs = await new Driver(plan, tool, scratch, Console.Out) { RawLog = rawLog }.RunAsync();
        ResultsWriter.Write(folder, plan, started, clock.Elapsed, runs);
        Console.WriteLine($"done in {clock.Elapsed.TotalMinutes:F1} min: {Path.Combine(folder, ResultsWriter.MarkdownFile)}");
        return 0;
    }
    catch (HarnessException ex)
    {
        await Console.Error.WriteLineAsync($"overhead: {ex.Message}");
        return 4;
    }
    catch (IOException ex)
    {
        await Console.Error.WriteLineAsync($"overhead: {ex.Message}");
        return 3;
    }
    finally
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
});
return await root.Parse(args).InvokeAsync();

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace StatProf.Overhead.Harness;

/// <summary>
/// Writes a run's results into a folder: <c>results.json</c> (every run and every summary),
/// <c>results.md</c> (the tables), <c>overhead-vs-tick.svg</c> and <c>pause-vs-threads.svg</c>.
/// </summary>
internal static class ResultsWriter
{
    public const string JsonFile = "results.json";
    public const string MarkdownFile = "results.md";
    public const string TickPlotFile = "overhead-vs-tick.svg";
    public const string PausePlotFile = "pause-vs-threads.svg";
    public const string ThroughputPlotFile = "throughput-vs-tick.svg";

    public static void Write(string folder, Plan plan, DateTime startedUtc, TimeSpan elapsed, IReadOnlyList<RunRecord> runs)
    {
        Directory.CreateDirectory(folder);
        List<ConfigSummary> configs = Analysis.Configurations(runs);
        List<PauseSummary> pauses = Analysis.Pauses(runs);
        List<TargetVerdict> targets = Analysis.Targets(configs);
        Summary load = Stats.Summarize(runs.Select(r => r.LoadAverage).Where(double.IsFinite));
        WriteJson(Path.Combine(folder, JsonFile), plan, startedUtc, elapsed, load, runs, configs, pauses, targets);
        File.WriteAllText(Path.Combine(folder, MarkdownFile), Markdown(plan, startedUtc, elapsed, load, configs, pauses, targets));
        File.WriteAllText(Path.Combine(folder, TickPlotFile), TickPlot(configs, "Extra CPU per operation vs tick interval (median)", "CPU per operation vs no profiler (%)", c => c.CpuOverheadPercent));
        File.WriteAllText(Path.Combine(folder, ThroughputPlotFile), TickPlot(configs, "Throughput lost vs tick interval (median)", "throughput loss vs no profiler (%)", c => c.LossPercent));
        File.WriteAllText(Path.Combine(folder, PausePlotFile), PausePlot(pauses));
    }

    private static void WriteJson(
        string path, Plan plan, DateTime startedUtc, TimeSpan elapsed, Summary load,
        IReadOnlyList<RunRecord> runs, List<ConfigSummary> configs, List<PauseSummary> pauses, List<TargetVerdict> targets)
    {
        using FileStream stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("mode", plan.Name);
        json.WriteString("startedUtc", startedUtc.ToString("O", CultureInfo.InvariantCulture));
        json.WriteNumber("elapsedSeconds", Math.Round(elapsed.TotalSeconds, 1));
        json.WriteString("runtime", RuntimeInformation.FrameworkDescription);
        json.WriteNumber("processors", Environment.ProcessorCount);
        json.WriteString("dotnetTrace", DotnetTrace.CommandLine);
        json.WriteNumber("nice", Niceness());
        WriteSummary(json, "loadAverage", load);
        json.WriteStartArray("profilers");
        foreach (Profiler p in Plan.Profilers)
        {
            json.WriteStringValue(p.Key());
        }

        json.WriteEndArray();
        json.WriteStartArray("configurations");
        foreach (ConfigSummary c in configs)
        {
            json.WriteStartObject();
            json.WriteString("workload", c.Workload);
            json.WriteString("profiler", c.Profiler.Key());
            WriteSummary(json, "throughput", c.Throughput);
            WriteSummary(json, "latencyP50Ms", c.LatencyP50Ms);
            WriteSummary(json, "latencyP99Ms", c.LatencyP99Ms);
            WriteSummary(json, "lossPercent", c.LossPercent);
            WriteSummary(json, "versusDotnetTrace", c.VersusDotnetTrace);
            WriteSummary(json, "statProfTicks", c.Ticks);
            WriteSummary(json, "cpuMsPerOp", c.CpuMsPerOp);
            WriteSummary(json, "cpuOverheadPercent", c.CpuOverheadPercent);
            WriteSummary(json, "startCostMs", c.StartCostMs);
            WriteSummary(json, "warmUpSeconds", c.WarmUpSeconds);
            WriteSummary(json, "gcsPerSecond", c.GcsPerSecond);
            WriteSummary(json, "allocatedMbPerSecond", c.AllocatedMbPerSecond);
            json.WriteStartObject("threadCpuMsPerSecond");
            foreach ((string kind, Summary s) in c.ThreadCpu)
            {
                WriteSummary(json, kind, s);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("pauses");
        foreach (PauseSummary p in pauses)
        {
            json.WriteStartObject();
            json.WriteNumber("threads", p.Threads);
            json.WriteString("profiler", p.Profiler.Key());
            WriteSummary(json, "gapP50Us", p.GapP50Us);
            WriteSummary(json, "gapP99Us", p.GapP99Us);
            WriteSummary(json, "gapMaxUs", p.GapMaxUs);
            WriteSummary(json, "gapsPerSecond", p.GapsPerSecond);
            WriteSummary(json, "pausedPercent", p.PausedPercent);
            WriteSummary(json, "throughput", p.Throughput);
            WriteSummary(json, "lossPercent", p.LossPercent);
            WriteSummary(json, "tickPausesPerSecond", p.TickPausesPerSecond);
            WriteSummary(json, "tickPauseP50Us", p.TickPauseP50Us);
            WriteSummary(json, "tickPauseP99Us", p.TickPauseP99Us);
            WriteSummary(json, "tickPauseMaxUs", p.TickPauseMaxUs);
            WriteSummary(json, "tickPausedPercent", p.TickPausedPercent);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("targets");
        foreach (TargetVerdict t in targets)
        {
            json.WriteStartObject();
            json.WriteString("target", t.Target);
            json.WriteString("measured", t.Measured);
            json.WriteBoolean("met", t.Met);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("runs");
        foreach (RunRecord r in runs)
        {
            json.WriteStartObject();
            json.WriteString("workload", r.Workload);
            json.WriteString("profiler", r.Profiler.Key());
            json.WriteNumber("round", r.Round);
            json.WriteNumber("position", r.Position);
            json.WriteNumber("threads", r.Threads);
            json.WriteNumber("throughput", Round(r.Throughput));
            json.WriteNumber("latencyP50Ms", Round(r.LatencyP50Ms));
            json.WriteNumber("latencyP99Ms", Round(r.LatencyP99Ms));
            json.WriteNumber("cpuMsPerOp", Round(r.CpuMsPerOp));
            json.WriteNumber("peerCpuMsPerOp", Round(r.PeerCpuMsPerOp));
            json.WriteNumber("warmUpCpuMsPerOp", Round(r.WarmUpCpuMsPerOp));
            json.WriteNumber("warmUpOperations", r.WarmUpOperations);
            json.WriteNumber("warmUpSeconds", Round(r.WarmUpSeconds));
            json.WriteNumber("gcsPerSecond", Round(r.GcsPerSecond));
            json.WriteNumber("allocatedMbPerSecond", Round(r.AllocatedMbPerSecond));
            json.WriteNumber("processThreads", r.ProcessThreads);
            json.WriteNumber("gapsPerSecond", Round(r.GapsPerSecond));
            json.WriteNumber("gapP50Us", Round(r.GapP50Us));
            json.WriteNumber("gapP99Us", Round(r.GapP99Us));
            json.WriteNumber("gapMaxUs", Round(r.GapMaxUs));
            json.WriteNumber("pausedFraction", Round(r.PausedFraction));
            json.WriteNumber("tickPausesPerSecond", Round(r.TickPausesPerSecond));
            json.WriteNumber("tickPauseP50Us", Round(r.TickPauseP50Us));
            json.WriteNumber("tickPauseP99Us", Round(r.TickPauseP99Us));
            json.WriteNumber("tickPauseMaxUs", Round(r.TickPauseMaxUs));
            json.WriteNumber("tickPausedPercent", Round(r.TickPausedPercent));
            json.WriteStartObject("threadCpuMsPerSecond");
            foreach ((string kind, double ms) in r.ThreadCpuMsPerSecond ?? [])
            {
                json.WriteNumber(kind, Round(ms));
            }

            json.WriteEndObject();
            json.WriteNumber("poolThreads", r.PoolThreads);
            json.WriteBoolean("statProfSampling", r.StatProfSampling);
            json.WriteNumber("statProfTicks", r.StatProfTicks);
            json.WriteNumber("statProfActivations", r.StatProfActivations);
            json.WriteNumber("traceBytes", r.TraceBytes);
            json.WriteNumber("errors", r.Errors);
            json.WriteNumber("loadAverage", double.IsFinite(r.LoadAverage) ? r.LoadAverage : -1);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, string name, Summary s)
    {
        json.WriteStartObject(name);
        json.WriteNumber("median", Round(s.Median));
        json.WriteNumber("min", Round(s.Min));
        json.WriteNumber("max", Round(s.Max));
        json.WriteNumber("n", s.Count);
        json.WriteEndObject();
    }

    /// <summary>This process's nice value (children inherit it), from /proc/self/stat; 0 where unknown.</summary>
    public static int Niceness()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], CultureInfo.InvariantCulture); // field 19 of proc(5); fields here start at 3
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 4) : 0;

    private static string Markdown(
        Plan plan, DateTime startedUtc, TimeSpan elapsed, Summary load,
        List<ConfigSummary> configs, List<PauseSummary> pauses, List<TargetVerdict> targets)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(FormattableString.Invariant(text));
        Line($"# StatProf overhead harness: {plan.Name} run");
        Line($"");
        Line($"Started {startedUtc:yyyy-MM-dd HH:mm} UTC, took {elapsed.TotalMinutes:F1} min; {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}.");
        Line($"1-minute load average at the start of each run: median {load.Median:F1} ({load.Min:F1}–{load.Max:F1}).");
        Line($"{plan.Repetitions} rounds of the CPU and shop workloads, configurations in a rotated order each round; {plan.PauseRepetitions} round(s) of the pause curve. Figures: median (min–max) over rounds; losses and ratios are paired by round.");
        Line($"Peer: `{DotnetTrace.CommandLine}` (default profiles). The harness and its children ran at nice {Niceness()}.");
        Line($"");
        foreach (string workload in configs.Select(c => c.Workload).Distinct())
        {
            Line($"## {workload switch
            {
                "cpu" => $"CPU-bound: {Environment.ProcessorCount} workers, fixed operation, {plan.CpuSeconds} s runs after a warm-up of at least {plan.WarmUpSeconds} s, until the JIT's tiering is quiet",
                "shop" => $"Demo shop: {HttpLoad.Concurrency} closed HTTP loops, {plan.ShopSeconds} s runs after a warm-up of at least {plan.WarmUpSeconds} s, until the JIT's tiering is quiet",
                _ => $"Demo shop at a fixed {FixedRateLoad.Rate:F0} requests/s (open loop; throughput is the rate, compare CPU per request and latency), {plan.ShopSeconds} s runs after a warm-up of at least {plan.WarmUpSeconds} s, until the JIT's tiering is quiet",
            }}");
            Line($"");
            Line($"| configuration | {(workload == "cpu" ? "operations/s" : "requests/s")} | p50 ms | p99 ms | throughput loss vs none | ÷ dotnet-trace | CPU ms per {(workload == "cpu" ? "operation" : "request")} | CPU cost vs none | warm-up s | start cost: extra CPU ms in the warm-up | GCs/s | allocated MB/s | StatProf ticks |");
            Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (ConfigSummary c in configs.Where(c => c.Workload == workload))
            {
                Line($"| {c.Profiler.Key()} | {Cell(c.Throughput, "F0")} | {Cell(c.LatencyP50Ms, "F3")} | {Cell(c.LatencyP99Ms, "F3")} | {Cell(c.LossPercent, "F2")} % | {Cell(c.VersusDotnetTrace, "F3")} | {Cell(c.CpuMsPerOp, "F4")} | {Cell(c.CpuOverheadPercent, "F2")} % | {Cell(c.WarmUpSeconds, "F1")} | {Cell(c.StartCostMs, "F0")} | {Cell(c.GcsPerSecond, "F1")} | {Cell(c.AllocatedMbPerSecond, "F1")} | {c.Ticks.Median:F0} |");
            }

            Line($"");
            ConfigSummary[] split = configs.Where(c => c.Workload == workload && c.ThreadCpu.Values.Any(s => s.Count > 0)).ToArray();
            if (split.Length > 0)
            {
                bool shop = workload != "cpu";
                Line($"Where the CPU time goes: ms of CPU per second of the window, by kind of thread (from /proc/PID/task; `workload`: the workers; `statprof`: StatProf's logger and sampler threads; `eventpipe`: the runtime's sampler and EventPipe threads; `jit`: the JIT's background tiering; `threadpool`: the pool's and socket threads{(shop ? ", where the shop's requests run" : "")}; dotnet-trace's own process is not in this table).{(shop ? " Pool workers: the pool's worker threads when the window closed; the runtime walks each one at every tick." : "")}");
                Line($"");
                Line($"| configuration | {string.Join(" | ", ThreadCpu.Kinds)} |{(shop ? " pool workers |" : "")}");
                Line($"|---|{string.Concat(ThreadCpu.Kinds.Select(_ => "---:|"))}{(shop ? "---:|" : "")}");
                foreach (ConfigSummary c in split)
                {
                    Line($"| {c.Profiler.Key()} | {string.Join(" | ", ThreadCpu.Kinds.Select(k => Cell(c.ThreadCpu[k], "F1")))} |{(shop ? $" {Cell(c.PoolThreads, "F0")} |" : "")}");
                }

                Line($"");
            }
        }

        Line($"## Stop-the-world pause versus threads (one worker)");
        Line($"");
        Line($"The runtime's own pauses: its non-GC suspend → restart events (the sampler's ticks), read by a GC-keyword session beside the child.");
        Line($"");
        Line($"| threads | configuration | pauses/s | pause p50 µs | pause p99 µs | pause max µs | time paused | worker ops/s | loss vs none |");
        Line($"|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (PauseSummary p in pauses)
        {
            Line($"| {p.Threads} | {p.Profiler.Key()} | {Cell(p.TickPausesPerSecond, "F0")} | {Cell(p.TickPauseP50Us, "F0")} | {Cell(p.TickPauseP99Us, "F0")} | {Cell(p.TickPauseMaxUs, "F0")} | {Cell(p.TickPausedPercent, "F2")} % | {Cell(p.Throughput, "F0")} | {Cell(p.LossPercent, "F2")} % |");
        }

        Line($"");
        Line($"The probe thread's gaps ≥ 20 µs in its own progress: the pauses as a thread lives them, the wait for a core on a loaded machine included.");
        Line($"");
        Line($"| threads | configuration | gaps/s | gap p50 µs | gap p99 µs | gap max µs | time in gaps |");
        Line($"|---:|---|---:|---:|---:|---:|---:|");
        foreach (PauseSummary p in pauses)
        {
            Line($"| {p.Threads} | {p.Profiler.Key()} | {Cell(p.GapsPerSecond, "F0")} | {Cell(p.GapP50Us, "F0")} | {Cell(p.GapP99Us, "F0")} | {Cell(p.GapMaxUs, "F0")} | {Cell(p.PausedPercent, "F2")} % |");
        }

        Line($"");
        Line($"## Targets");
        Line($"");
        Line($"| target | measured: median (min–max) | verdict |");
        Line($"|---|---|---|");
        foreach (TargetVerdict t in targets)
        {
            Line($"| {t.Target} | {t.Measured} | {(t.Met ? "met" : "not met")} |");
        }

        Line($"");
        Line($"![CPU overhead vs tick]({TickPlotFile})");
        Line($"");
        Line($"![throughput loss vs tick]({ThroughputPlotFile})");
        Line($"");
        Line($"![pause vs threads]({PausePlotFile})");
        return md.ToString();
    }

    private static string Cell(Summary s, string format) =>
        s.Count == 0 || !double.IsFinite(s.Median)
            ? "–"
            : s.Count == 1
                ? s.Median.ToString(format, CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{s.Median.ToString(format, CultureInfo.InvariantCulture)} ({s.Min.ToString(format, CultureInfo.InvariantCulture)}–{s.Max.ToString(format, CultureInfo.InvariantCulture)})");

    private static string TickPlot(List<ConfigSummary> configs, string title, string yLabel, Func<ConfigSummary, Summary> metric)
    {
        var plot = new SvgPlot(title, "tick interval (ms, log scale)", yLabel, logX: true, logY: false);
        (string Workload, string Name, string Color)[] lines = [("cpu", "CPU-bound", "#1f77b4"), ("shop", "demo shop", "#d62728"), ("shop-rate", "demo shop at a fixed rate", "#2ca02c")];
        foreach ((string workload, string name, string color) in lines)
        {
            var mine = configs.Where(c => c.Workload == workload).ToArray();
            var points = mine.Where(c => c.Profiler.SamplesContinuously()).Select(c => (c.Profiler.TickMilliseconds()!.Value, metric(c).Median)).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            plot.Add(new PlotSeries($"{name}: StatProf", points, color));
            if (mine.FirstOrDefault(c => c.Profiler == Profiler.DotnetTrace) is { } peer)
            {
                plot.Add(new PlotSeries($"{name}: dotnet-trace", [(1, metric(peer).Median), (100, metric(peer).Median)], color, Dashed: true));
            }
        }

        return plot.Render();
    }

    private static string PausePlot(List<PauseSummary> pauses)
    {
        var plot = new SvgPlot("Stop-the-world pause per tick vs thread count (runtime events, median of runs)", "threads in the process (log scale)", "pause (µs, log scale)", logX: true, logY: true);
        (Profiler Profiler, string Color)[] colors = [(Profiler.Tick1, "#d62728"), (Profiler.Tick10, "#1f77b4")];
        foreach ((Profiler profiler, string color) in colors)
        {
            PauseSummary[] mine = pauses.Where(p => p.Profiler == profiler).ToArray();
            if (mine.Length == 0)
            {
                continue;
            }

            string name = profiler.Key();
            plot.Add(new PlotSeries($"{name} p50", mine.Select(p => ((double)p.Threads, p.TickPauseP50Us.Median)).ToArray(), color));
            plot.Add(new PlotSeries($"{name} p99", mine.Select(p => ((double)p.Threads, p.TickPauseP99Us.Median)).ToArray(), color, Dashed: true));
        }

        return plot.Render();
    }
}

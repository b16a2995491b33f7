using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using StatProf.Overhead.Workloads;

namespace StatProf.Overhead.Harness;

/// <summary>
/// Runs a <see cref="Plan"/>: every round starts one child per configuration, one after the other in
/// a rotated order (so drifting machine load touches every configuration alike), for the CPU-bound
/// workload, then the shop under HTTP load; then the pause curve. Returns every run's record.
/// </summary>
internal sealed class Driver(Plan plan, string dotnetTrace, string scratch, TextWriter log)
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(90);

    public async Task<List<RunRecord>> RunAsync()
    {
        var records = new List<RunRecord>();
        for (int round = 0; round < plan.Repetitions; round++)
        {
            Profiler[] order = Plan.Rotated(plan.Configurations, round);
            for (int i = 0; i < order.Length && plan.Workloads.Contains("cpu"); i++)
            {
                records.Add(Report(RunCpu("cpu", order[i], round, i, Environment.ProcessorCount, 0, probe: false, plan.WarmUpSeconds, plan.CpuSeconds)));
            }

            bool closed = plan.Workloads.Contains("shop"), rated = plan.Workloads.Contains("shop-rate");
            for (int i = 0; i < order.Length && (closed || rated); i++)
            {
                foreach (RunRecord record in await RunShopAsync(order[i], round, i, closed, rated))
                {
                    records.Add(Report(record));
                }
            }
        }

        for (int round = 0; round < plan.PauseRepetitions && plan.Workloads.Contains("pause"); round++)
        {
            foreach (int threads in plan.PauseThreads)
            {
                Profiler[] order = Plan.Rotated(plan.PauseProfilers, round);
                for (int i = 0; i < order.Length; i++)
                {
                    // One worker and the probe run; the rest are parked threads the runtime walks at each tick.
                    records.Add(Report(RunCpu("pause", order[i], round, i, 1, Math.Max(0, threads - 2), probe: true, 0, plan.PauseSeconds) with { Threads = threads }));
                }
            }
        }

        return records;
    }

    /// <summary>Every run as one JSON line, written as it ends (so that a run's records survive a failure of the summary).</summary>
    public string? RawLog { get; init; }

    private RunRecord Report(RunRecord record)
    {
        if (RawLog is not null)
        {
            File.AppendAllText(RawLog, JsonSerializer.Serialize(record, ResultJson.Default.RunRecord) + "\n");
        }

        string pause = record.Workload == "pause"
            ? FormattableString.Invariant($" gaps/s {record.GapsPerSecond:F0} p50 {record.GapP50Us:F0} us p99 {record.GapP99Us:F0} us max {record.GapMaxUs:F0} us")
            : "";
        log.WriteLine(FormattableString.Invariant(
            $"{record.Workload,-5} {record.Profiler.Key(),-15} round {record.Round} threads {record.Threads,4}: {record.Throughput,10:F1}/s p50 {record.LatencyP50Ms:F3} ms p99 {record.LatencyP99Ms:F3} ms cpu {record.CpuMsPerOp + record.PeerCpuMsPerOp:F4} ms/op{pause} (load {record.LoadAverage:F1})"));
        return record;
    }

    private RunRecord RunCpu(string workload, Profiler profiler, int round, int position, int workers, int parked, bool probe, double warmUp, double seconds)
    {
        double load = LoadAverage();
        string records = Path.Combine(scratch, $"{workload}-{profiler.Key()}-{round}-{position}");
        var args = new List<string>
        {
            "cpu", "--profiler", profiler.Key(), "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--parked", parked.ToString(CultureInfo.InvariantCulture), "--seconds", seconds.ToString(CultureInfo.InvariantCulture),
            "--records", records,
        };
        if (probe)
        {
            args.Add("--probe");
        }

        using Child child = Child.Start(profiler, args);
        child.WaitFor(ChildProtocol.Ready, ChildTimeout);
        using PauseWatch? pauses = probe ? PauseWatch.Start(child.Id) : null;
        using DotnetTrace? trace = profiler.AttachesDotnetTrace()
            ? DotnetTrace.Attach(dotnetTrace, child.Id, Path.Combine(scratch, $"{workload}-{round}-{position}.nettrace"), TimeSpan.FromSeconds(60))
            : null;
        TimeSpan peerWarm = trace is null ? TimeSpan.Zero : ProcessCpu.Read(trace.Id);
        child.Send(ChildProtocol.Go);
        TimeSpan warmed = warmUp > 0 ? JitQuiet.WaitAsync(child.Id, TimeSpan.FromSeconds(warmUp), plan.WarmUntilJitQuiet).GetAwaiter().GetResult() : TimeSpan.Zero;
        child.Send(ChildProtocol.Measure);
        child.WaitFor(ChildProtocol.Measuring, ChildTimeout);
        TimeSpan peerStart = trace is null ? TimeSpan.Zero : ProcessCpu.Read(trace.Id);
        string json = child.WaitFor(ChildProtocol.ResultPrefix, ChildTimeout + TimeSpan.FromSeconds(seconds));
        TimeSpan peerCpu = trace is null ? TimeSpan.Zero : ProcessCpu.Read(trace.Id) - peerStart;
        CpuResult result = JsonSerializer.Deserialize(json, ResultJson.Default.CpuResult) ?? throw new HarnessException("empty result from the cpu child");
        long[] tickPauses = pauses?.Stop(result.WindowStartTimestamp, result.WindowEndTimestamp) ?? [];
        child.WaitForExit(TimeSpan.FromSeconds(30));
        long traceBytes = trace?.WaitForEnd(TimeSpan.FromSeconds(60)) ?? 0;
        double[] pauseUs = tickPauses.Select(t => t * 1e6 / Stopwatch.Frequency).Order().ToArray();
        return new RunRecord(
            workload, profiler, round, position, 0, result.OperationsPerSecond, result.LatencyP50Ms, result.LatencyP99Ms,
            result.CpuMsPerOperation, result.Operations == 0 ? 0 : peerCpu.TotalMilliseconds / result.Operations, result.Threads,
            result.GapsPerSecond, result.GapP50Us, result.GapP99Us, result.GapMaxUs, result.PausedFraction,
            result.StatProfSampling, result.StatProfTicks, result.StatProfActivations, traceBytes, 0, load)
        {
            WarmUpSeconds = warmed.TotalSeconds,
            WarmUpOperations = result.WarmUpOperations,
            WarmUpCpuMsPerOp = result.WarmUpCpuMsPerOperation
                + (result.WarmUpOperations == 0 ? 0 : (peerStart - peerWarm).TotalMilliseconds / result.WarmUpOperations),
            TickPausesPerSecond = probe ? pauseUs.Length / result.Seconds : 0,
            TickPauseP50Us = Stats.Percentile(pauseUs, 0.50),
            TickPauseP99Us = Stats.Percentile(pauseUs, 0.99),
            TickPauseMaxUs = pauseUs.Length == 0 ? 0 : pauseUs[^1],
            TickPausedPercent = result.Seconds <= 0 ? 0 : 100 * pauseUs.Sum() / 1e6 / result.Seconds,
            ThreadCpuMsPerSecond = result.ThreadCpuMsPerSecond,
            GcsPerSecond = result.GcsPerSecond,
            AllocatedMbPerSecond = result.AllocatedMbPerSecond,
        };
    }

    /// <summary>
    /// One shop child, measured under <see cref="HttpLoad"/>'s closed loops (<c>shop</c>) and/or
    /// <see cref="FixedRateLoad"/> (<c>shop-rate</c>), whichever the plan runs: the first load warms
    /// the child up (<see cref="JitQuiet"/>, the pool included), a second one gets at least a second
    /// at its own pace first. One record per load; the child's GC and StatProf figures cover its whole run.
    /// </summary>
    private async Task<List<RunRecord>> RunShopAsync(Profiler profiler, int round, int position, bool closed, bool rated)
    {
        double load = LoadAverage();
        int port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        string records = Path.Combine(scratch, $"shop-{profiler.Key()}-{round}-{position}");
        using Child child = Child.Start(
            profiler,
            ["shop", "--profiler", profiler.Key(), "--port", port.ToString(CultureInfo.InvariantCulture), "--records", records],
            new Dictionary<string, string> { [PoolThreadTimeoutVariable] = PoolThreadTimeoutMs });
        child.WaitFor(ChildProtocol.Ready, ChildTimeout);
        using DotnetTrace? trace = profiler.AttachesDotnetTrace()
            ? DotnetTrace.Attach(dotnetTrace, child.Id, Path.Combine(scratch, $"shop-{round}-{position}.nettrace"), TimeSpan.FromSeconds(90))
            : null;
        TimeSpan warmed = TimeSpan.Zero;
        bool warm = false;
        async Task WarmUp()
        {
            if (warm)
            {
                // The new load settles (and, in the full mode, the pool with it).
                await JitQuiet.WaitAsync(child.Id, TimeSpan.FromSeconds(1), plan.WarmUntilJitQuiet, poolSteady: true);
                return;
            }

            warmed = await JitQuiet.WaitAsync(child.Id, TimeSpan.FromSeconds(plan.WarmUpSeconds), plan.WarmUntilJitQuiet, poolSteady: true);
            warm = true;
        }

        var measured = new List<(string Workload, LoadResult Load, TimeSpan Cpu, TimeSpan PeerCpu, Dictionary<string, double> ByKind, int PoolThreads)>();
        foreach ((string workload, Func<Uri, Func<Task>, TimeSpan, Action, Action, Task<LoadResult>> run) in
            new (string, Func<Uri, Func<Task>, TimeSpan, Action, Action, Task<LoadResult>>)[] { ("shop", HttpLoad.RunAsync), ("shop-rate", FixedRateLoad.RunAsync) })
        {
            if (workload == "shop" ? !closed : !rated)
            {
                continue;
            }

            TimeSpan cpuStart = TimeSpan.Zero, cpuEnd = TimeSpan.Zero, peerStart = TimeSpan.Zero, peerEnd = TimeSpan.Zero;
            Dictionary<int, (string Name, long Ticks)> threadsStart = [], threadsEnd = [];
            long windowStart = 0, windowEnd = 0;
            LoadResult result = await run(
                address,
                WarmUp,
                TimeSpan.FromSeconds(plan.ShopSeconds),
                () =>
                {
                    (cpuStart, peerStart) = (ProcessCpu.Read(child.Id), trace is null ? TimeSpan.Zero : ProcessCpu.Read(trace.Id));
                    (threadsStart, windowStart) = (ThreadCpu.Snapshot(child.Id), Stopwatch.GetTimestamp());
                },
                () =>
                {
                    (cpuEnd, peerEnd) = (ProcessCpu.Read(child.Id), trace is null ? TimeSpan.Zero : ProcessCpu.Read(trace.Id));
                    (threadsEnd, windowEnd) = (ThreadCpu.Snapshot(child.Id), Stopwatch.GetTimestamp());
                });
            double seconds = windowEnd <= windowStart ? 0 : Stopwatch.GetElapsedTime(windowStart, windowEnd).TotalSeconds;
            measured.Add((workload, result, cpuEnd - cpuStart, peerEnd - peerStart, ThreadCpu.PerSecondByKind(threadsStart, threadsEnd, seconds), ThreadCpu.PoolWorkers(threadsEnd)));
        }

        child.Send("stop");
        string json = child.WaitFor(ChildProtocol.ResultPrefix, ChildTimeout);
        child.WaitForExit(TimeSpan.FromSeconds(30));
        long traceBytes = trace?.WaitForEnd(TimeSpan.FromSeconds(60)) ?? 0;
        ShopResult shop = JsonSerializer.Deserialize(json, ResultJson.Default.ShopResult) ?? throw new HarnessException("empty result from the shop child");
        var runs = new List<RunRecord>();
        foreach ((string workload, LoadResult loadResult, TimeSpan cpu, TimeSpan peerCpu, Dictionary<string, double> byKind, int poolThreads) in measured)
        {
            if (loadResult.Requests == 0)
            {
                // A stall is a result too (throughput 0), not a reason to lose the whole run.
                log.WriteLine($"{workload} {profiler.Key()} round {round}: no request completed in the measured window ({loadResult.Errors} errors)");
            }

            runs.Add(new RunRecord(
                workload, profiler, round, position, 0, loadResult.RequestsPerSecond, loadResult.LatencyP50Ms, loadResult.LatencyP99Ms,
                loadResult.Requests == 0 ? 0 : cpu.TotalMilliseconds / loadResult.Requests,
                loadResult.Requests == 0 ? 0 : peerCpu.TotalMilliseconds / loadResult.Requests,
                0,
                0, 0, 0, 0, 0, shop.StatProfSampling, shop.StatProfTicks, shop.StatProfActivations, traceBytes, loadResult.Errors, load)
            {
                WarmUpSeconds = warmed.TotalSeconds,
                ThreadCpuMsPerSecond = byKind,
                PoolThreads = poolThreads,
                GcsPerSecond = shop.GcsPerSecond,
                AllocatedMbPerSecond = shop.AllocatedMbPerSecond,
            });
        }

        return runs;
    }

    // The shop children's idle pool workers retire after this instead of the runtime's 20 s (every
    // configuration alike): see JitQuiet on the pool a session's start grows.
    private const string PoolThreadTimeoutVariable = "DOTNET_ThreadPool_ThreadTimeoutMs";
    private const string PoolThreadTimeoutMs = "3000";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The 1-minute load average from /proc/loadavg (NaN where there is none).</summary>
    public static double LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }

}

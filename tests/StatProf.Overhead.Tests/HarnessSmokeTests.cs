using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;

namespace StatProf.Overhead.Tests;

/// <summary>
/// CI's smoke test of the overhead harness: runs it for real in <c>--smoke</c> mode (every
/// configuration once, about a minute) and checks that it ran every configuration and wrote its
/// results and plots. It asserts nothing about the figures themselves: they are noisy on a shared
/// machine and belong in docs/overhead.md, not in a timed test.
/// </summary>
public sealed class HarnessSmokeTests : IDisposable
{
    private static readonly string[] Profilers = ["none", "statprof-idle", "statprof-1ms", "statprof-10ms", "statprof-100ms", "dotnet-trace"];

    private readonly string _output = Path.Combine(Path.GetTempPath(), $"statprof-overhead-test-{Guid.NewGuid():N}");

    [Fact]
    public void SmokeRunMeasuresEveryConfigurationAndWritesResultsAndPlots()
    {
        (int exit, string stdout, string stderr) = RunHarness("--smoke", "-o", _output, "--workloads", "cpu", "shop", "shop-rate", "pause");

        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "results.json")));
        JsonElement root = results.RootElement;
        Assert.Equal("smoke", root.GetProperty("mode").GetString());
        JsonElement[] runs = [.. root.GetProperty("runs").EnumerateArray()];
        foreach (string workload in (string[])["cpu", "shop", "shop-rate"])
        {
            foreach (string profiler in Profilers)
            {
                JsonElement run = Assert.Single(runs, r => r.GetProperty("workload").GetString() == workload && r.GetProperty("profiler").GetString() == profiler);
                Assert.True(run.GetProperty("throughput").GetDouble() > 0, $"{workload}/{profiler} did no work");

                // Each configuration is what it says: the sampling ones saw ticks with their session
                // open, dotnet-trace wrote a trace, no profiler means neither, and idle StatProf saw
                // a tick only if it opened a session for a request that ran long (on a loaded CI
                // machine a fast request can be stalled past the activation time).
                long ticks = run.GetProperty("statProfTicks").GetInt64();
                bool sampling = run.GetProperty("statProfSampling").GetBoolean();
                switch (profiler)
                {
                    case "statprof-1ms" or "statprof-10ms" or "statprof-100ms":
                        Assert.True(sampling && ticks > 0, $"{workload}/{profiler}: sampling {sampling}, {ticks} ticks");
                        break;
                    case "statprof-idle":
                        Assert.True(ticks == 0 || run.GetProperty("statProfActivations").GetInt64() > 0, $"{workload}/{profiler}: {ticks} ticks without an activation");
                        break;
                    default:
                        Assert.False(sampling);
                        Assert.Equal(0, ticks);
                        break;
                }

                Assert.Equal(profiler == "dotnet-trace", run.GetProperty("traceBytes").GetInt64() > 0);
                if (workload == "cpu")
                {
                    // The child read its threads' CPU time, its two workers' included.
                    Assert.True(run.GetProperty("threadCpuMsPerSecond").GetProperty("workload").GetDouble() > 0, $"cpu/{profiler}: no CPU time seen on the worker threads");
                }
                else
                {
                    // The driver read the shop's threads: its requests run on the pool's workers.
                    Assert.True(run.GetProperty("threadCpuMsPerSecond").GetProperty("threadpool").GetDouble() > 0, $"{workload}/{profiler}: no CPU time seen on the pool's threads");
                    Assert.True(run.GetProperty("poolThreads").GetInt32() > 0, $"{workload}/{profiler}: no pool worker seen");
                }
            }
        }

        JsonElement[] pauses = [.. runs.Where(r => r.GetProperty("workload").GetString() == "pause")];
        Assert.Equal([8, 64], pauses.Select(r => r.GetProperty("threads").GetInt32()).Distinct().Order());
        Assert.All(pauses, p => Assert.True(p.GetProperty("processThreads").GetInt32() >= p.GetProperty("threads").GetInt32(), "the pause child did not start its threads"));
        Assert.Contains(pauses, p => p.GetProperty("profiler").GetString() == "statprof-1ms" && p.GetProperty("statProfTicks").GetInt64() > 0);

        // The pause watch read the runtime's own suspend/restart events of the sampling children.
        Assert.All(pauses.Where(p => p.GetProperty("profiler").GetString() == "statprof-1ms"), p =>
            Assert.True(p.GetProperty("tickPausesPerSecond").GetDouble() > 0 && p.GetProperty("tickPauseP50Us").GetDouble() > 0, $"no tick pause seen at {p.GetProperty("threads").GetInt32()} threads"));

        string markdown = File.ReadAllText(Path.Combine(_output, "results.md"));
        foreach (string profiler in Profilers)
        {
            Assert.Contains($"| {profiler} |", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("Stop-the-world pause versus threads", markdown, StringComparison.Ordinal);
        Assert.Contains("| target |", markdown, StringComparison.Ordinal);

        foreach (string plot in (string[])["overhead-vs-tick.svg", "pause-vs-threads.svg"])
        {
            XDocument svg = XDocument.Load(Path.Combine(_output, plot));
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(ns + "svg", svg.Root!.Name);
            Assert.NotEmpty(svg.Descendants(ns + "polyline"));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    /// <summary>tests/StatProf.Overhead.Tests/bin/&lt;Configuration&gt;/net10.0/ → Benchmarks/StatProf.Overhead's output.</summary>
    private static string HarnessDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = here.Parent!.Name;
        string root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "Benchmarks", "StatProf.Overhead", "bin", configuration, here.Name, "StatProf.Overhead.dll");
    }

    private static (int Exit, string Stdout, string Stderr) RunHarness(params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HarnessDll());
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the smoke run did not finish within 8 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using StatProf.Cli.Demo;
using StatProf.Sampler;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof demo</c>: embeds the sampler in this process, runs a small workload on real threads
/// (an order page that dies by a thousand cuts, a report page blocked behind a backup job), samples
/// its request threads and prints where their time went.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var duration = new Option<double>("--duration", "-d")
        {
            Description = "Seconds to sample the workload.",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("demo", "Run a demo workload with StatProf embedded and show where its time went.") { duration };
        command.SetAction(parse => Run(TimeSpan.FromSeconds(parse.GetValue(duration)), stdout, stderr));
        return command;
    }

    /// <summary>Runs the demo; returns the process exit code.</summary>
    public static int Run(TimeSpan duration, TextWriter stdout, TextWriter stderr)
    {
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(1))
        {
            stderr.WriteLine("statprof demo: --duration must be between 0 and 3600 seconds.");
            return 2;
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        using var sampler = new StackSampler(new SamplerOptions { Mode = SamplingMode.MonitoredThreads });
        using var workload = new DemoWorkload(sampler.MonitoredThreads);
        try
        {
            sampler.Start();
        }
        catch (SamplerUnavailableException ex)
        {
            stderr.WriteLine(ex.Message);
            return 3;
        }

        var samples = new List<ThreadSample>();
        var buffer = new ThreadSample[4096];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            Thread.Sleep(100);
            DrainInto(sampler, buffer, samples);
        }

        sampler.Stop();
        DrainInto(sampler, buffer, samples);
        SamplerCounters counters = sampler.GetCounters();

        console.MarkupLine($"[bold]StatProf demo[/]: sampled the request threads for {duration.TotalSeconds:0.#} s.");
        console.MarkupLine(
            $"tick {sampler.MeasuredTickInterval?.TotalMilliseconds:0.00} ms, session start {sampler.LastSessionStartLatency.TotalMilliseconds:0} ms, " +
            $"rundown {sampler.LastRundownLatency.TotalMilliseconds:0} ms; {counters.SamplesKept} samples kept, {counters.SamplesFilteredOut} of other threads skipped, " +
            $"{counters.DroppedByOverflow} dropped, {counters.LostByRuntime} lost by the runtime.");
        WriteThreads(console, samples, workload.ThreadNames);
        WriteTopFrames(console, sampler.Stacks, samples);
        return 0;
    }

    private static void DrainInto(StackSampler sampler, ThreadSample[] buffer, List<ThreadSample> samples)
    {
        int n;
        while ((n = sampler.Drain(buffer)) > 0)
        {
            samples.AddRange(buffer.AsSpan(0, n));
        }
    }

    private static void WriteThreads(IAnsiConsole console, List<ThreadSample> samples, Dictionary<int, string> names)
    {
        var table = new Table().AddColumns("thread", "samples", "running", "waiting");
        foreach (var group in samples.GroupBy(s => s.OsThreadId).OrderByDescending(g => g.Count()))
        {
            int running = group.Count(s => s.Activity == ThreadActivity.Running);
            string name = names.TryGetValue(group.Key, out string? n) ? n : group.Key.ToString();
            table.AddRow(Markup.Escape(name), group.Count().ToString(), Percent(running, group.Count()), Percent(group.Count() - running, group.Count()));
        }

        console.Write(table);
    }

    private static void WriteTopFrames(IAnsiConsole console, StackTable stacks, List<ThreadSample> samples)
    {
        var self = new Dictionary<int, int>();
        var total = new Dictionary<int, int>();
        var seen = new HashSet<int>();
        foreach (var byStack in samples.GroupBy(s => s.StackId))
        {
            ReadOnlySpan<int> frames = stacks.GetFrameIds(byStack.Key);
            int count = byStack.Count();
            if (frames.Length > 0)
            {
                self[frames[^1]] = self.GetValueOrDefault(frames[^1]) + count;
            }

            seen.Clear();
            foreach (int frame in frames)
            {
                if (seen.Add(frame))
                {
                    total[frame] = total.GetValueOrDefault(frame) + count;
                }
            }
        }

        var table = new Table().AddColumns("frame", "self", "total");
        foreach (var (frame, count) in self.OrderByDescending(kv => kv.Value).Take(10))
        {
            table.AddRow(Markup.Escape(stacks.GetFrame(frame).Name), Percent(count, samples.Count), Percent(total[frame], samples.Count));
        }

        console.MarkupLine("[bold]Top frames by self time[/] (share of the request threads' samples):");
        console.Write(table);
    }

    private static string Percent(int part, int whole) => whole == 0 ? "-" : $"{100.0 * part / whole:0.0} %";
}

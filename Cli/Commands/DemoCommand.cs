using System.CommandLine;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using StatProf.Analysis;
using Profile = StatProf.Analysis.Profile;
using StatProf.Cli.Demo;
using StatProf.Sampler;
using StatProf.ShopDemo;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof demo</c>: starts the demo shop with StatProf embedded (AddStatProf/UseStatProf, as a
/// service would), drives concurrent HTTP load at it, then reads the record file it wrote, writes an
/// HTML report (the interactive flame graph page of <c>statprof report --format html</c>) and
/// prints the top optimization spots.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var duration = new Option<double>("--duration", "-d")
        {
            Description = "Seconds of load to drive at the shop.",
            DefaultValueFactory = _ => 20,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Directory for the record files and report.html.",
            DefaultValueFactory = _ => "statprof-demo",
        };
        var users = new Option<int>("--users", "-u")
        {
            Description = "Concurrent virtual users.",
            DefaultValueFactory = _ => 6,
        };
        var command = new Command("demo", "Run the demo shop with StatProf embedded, load it, and show where its slow requests spend their time.") { duration, output, users };
        command.SetAction(parse => Run(
            new DemoSettings(TimeSpan.FromSeconds(parse.GetValue(duration)), parse.GetValue(output)!, parse.GetValue(users)),
            stdout,
            stderr));
        return command;
    }

    /// <summary>Runs the demo; returns the process exit code.</summary>
    public static int Run(DemoSettings settings, TextWriter stdout, TextWriter stderr)
    {
        if (settings.Duration <= TimeSpan.Zero || settings.Duration > TimeSpan.FromHours(1))
        {
            stderr.WriteLine("statprof demo: --duration must be between 0 and 3600 seconds.");
            return 2;
        }

        if (settings.Users is < 1 or > 64)
        {
            stderr.WriteLine("statprof demo: --users must be between 1 and 64.");
            return 2;
        }

        string directory;
        try
        {
            directory = Path.GetFullPath(settings.Output);
            Directory.CreateDirectory(directory);
            foreach (string old in Directory.GetFiles(directory, "shop-*.jsonl"))
            {
                File.Delete(old); // the report describes this run only
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"statprof demo: cannot use output directory '{settings.Output}': {ex.Message}");
            return 2;
        }

        IAnsiConsole console = ConsoleFactory.Create(stdout);
        return RunAsync(settings, directory, console, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(DemoSettings settings, string directory, IAnsiConsole console, TextWriter stderr)
    {
        WebApplicationBuilder builder = ShopApp.CreateBuilder(
        [
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:StatProf=Error", // the demo prints its own summary instead of one line per slow request
        ]);

        // The demo's threshold is lower than the 2 s default so that a 20 s run shows many slow requests.
        builder.Services.AddStatProf(configure: options =>
        {
            options.Directory = directory;
            options.FilePrefix = "shop";
            options.Threshold = TimeSpan.FromSeconds(1);
            options.Interval = TimeSpan.FromMilliseconds(200);
            options.ActivationLead = TimeSpan.FromMilliseconds(900);
            options.IdleStop = TimeSpan.FromSeconds(10);
        });
        await using WebApplication app = ShopApp.Build(builder);
        app.UseStatProf();
        await app.StartAsync();
        var load = new ShopLoad(new Uri(app.Urls.First()), settings.Users);
        LongRequestLogger logger = app.Services.GetRequiredService<LongRequestLogger>();

        console.MarkupLine($"[bold]StatProf demo[/]: the demo shop listens on {Markup.Escape(app.Urls.First())} with StatProf embedded (threshold 1 s, a stack dump every 200 ms).");
        await DriveAsync(load, settings.Duration, console);
        LongRequestLoggerStatistics stats = logger.GetStatistics();
        await app.StopAsync(); // flushes the slow requests' end records

        if (stats.Activations == 0)
        {
            stderr.WriteLine("statprof demo: sampling never started in the demo shop; see the error above.");
            return 3;
        }

        string[] files = Directory.GetFiles(directory, "shop-*.jsonl");
        RecordSet set = RecordReader.ReadFiles(files);
        Profile profile = Analyzer.Analyze(set);
        string report = Path.Combine(directory, "report.html");
        using (FileStream page = File.Create(report))
        {
            ReportWriter.WriteHtml(profile, page, new HtmlReportOptions { Title = "StatProf demo: the demo shop's slow requests" });
        }

        console.MarkupLine(
            $"{load.Sent} requests sent ({load.Failed} failed), {profile.Set.Requests.Count} slow requests recorded, {profile.Samples} stack dumps; " +
            $"sampling switched on {stats.Activations} time(s), {stats.LastActivationLatency.TotalMilliseconds:0} ms to start the last time.");
        var spots = new Table().AddColumns("optimization spot (hot/cold boundary)", "seconds", "requests", "share");
        foreach (Spot spot in profile.Spots.Take(5))
        {
            spots.AddRow(Markup.Escape(spot.Frame), $"{spot.Seconds:0.00}", spot.Requests.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{spot.Share.Value * 100:0} %");
        }

        console.Write(spots);
        console.MarkupLine($"Records: [blue]{Markup.Escape(directory)}[/] ({files.Length} file(s)); report: [blue]{Markup.Escape(report)}[/]");
        console.MarkupLine($"Explore them: [grey]statprof report {Markup.Escape(Path.Combine(directory, "shop-*.jsonl"))} --format text[/]");
        return 0;
    }

    private static async Task DriveAsync(ShopLoad load, TimeSpan duration, IAnsiConsole console)
    {
        Task running = load.RunAsync(duration, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Progress().StartAsync(async context =>
            {
                ProgressTask task = context.AddTask("Driving load", maxValue: duration.TotalSeconds);
                while (!running.IsCompleted)
                {
                    task.Value = Math.Min(duration.TotalSeconds, clock.Elapsed.TotalSeconds);
                    task.Description = $"Driving load: {load.Sent} requests, {load.Slow} slow";
                    await Task.WhenAny(running, Task.Delay(200));
                }

                task.Value = duration.TotalSeconds;
            });
        }
        else
        {
            // Not a terminal: a line every 5 s instead of a bar.
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5)));
                console.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: {load.Sent} requests, {load.Slow} slow");
            }
        }

        await running;
    }
}

/// <summary>What <c>statprof demo</c> was asked to do.</summary>
/// <param name="Duration">How long to drive load.</param>
/// <param name="Output">Directory for the records and the report.</param>
/// <param name="Users">Concurrent virtual users.</param>
internal sealed record DemoSettings(TimeSpan Duration, string Output, int Users);

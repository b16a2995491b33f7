using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace StatProf.Cli.Top;

/// <summary>
/// How a <see cref="TopSnapshot"/> looks: Spectre.Console tables for the live terminal view, and the
/// same content as plain text for pipes and scripts.
/// </summary>
internal static class TopView
{
    /// <summary>The header line.</summary>
    public static string HeaderLine(TopHeader header, TopSnapshot snapshot, DateTime now) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"statprof top - {header.ProcessName} (pid {header.Pid}), {header.Runtime} - {now:HH:mm:ss} UTC - {snapshot.SamplesPerSecond:0} samples/s, dropped {header.Dropped}, {snapshot.Threads.Count} threads");

    private static string FramesTitle(TopSnapshot snapshot, bool idle) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Hottest frames over the last {snapshot.Window.TotalSeconds:0.#} s ({snapshot.FrameSamples} {(idle ? string.Empty : "running ")}samples)");

    private static string ThreadsTitle(TopSnapshot snapshot) =>
        string.Create(CultureInfo.InvariantCulture, $"Threads, busiest first (boundary: hot/cold boundary over the last {snapshot.Window.TotalSeconds:0.#} s)");

    /// <summary>The live view: header, frames table, threads table and keys, fitted to <paramref name="width"/> columns and <paramref name="height"/> lines.</summary>
    public static IRenderable Render(TopHeader header, TopSnapshot? snapshot, DateTime now, bool idle, int width, int height, string? status)
    {
        if (snapshot is null)
        {
            return new Markup(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"statprof top - {header.ProcessName} (pid {header.Pid}), {header.Runtime} - waiting for the first samples... (q to quit)")));
        }

        // Each table takes its rows plus 4 lines of borders, title and heading; 3 lines for the rest.
        int budget = Math.Max(4, height - 3 - 8);
        int threadRows = Math.Min(snapshot.Threads.Count, Math.Max(2, budget / 3));
        int frameRows = Math.Max(2, budget - threadRows);

        var frames = new Table { Border = TableBorder.Simple, Expand = false, Title = new TableTitle(Markup.Escape(FramesTitle(snapshot, idle))) };
        // Fixed widths: frame names are long, and Spectre would otherwise squeeze the short columns.
        frames.AddColumn(new TableColumn("[bold]Own %[/]").Width(7).RightAligned().NoWrap());
        frames.AddColumn(new TableColumn("[bold]Total %[/]").Width(7).RightAligned().NoWrap());
        frames.AddColumn(new TableColumn("[bold]Frame[/]").Width(Math.Max(20, width - 7 - 7 - 12)).NoWrap());
        foreach (TopFrame frame in snapshot.Frames.Take(frameRows))
        {
            frames.AddRow(
                new Text(Percent(frame.SelfShare)),
                new Text(Percent(frame.TotalShare)),
                new Text(ShortName(frame.Name)) { Overflow = Overflow.Ellipsis });
        }

        var threads = new Table { Border = TableBorder.Simple, Expand = false, Title = new TableTitle(Markup.Escape(ThreadsTitle(snapshot))) };
        threads.AddColumn(new TableColumn("[bold]Thread[/]").Width(20).NoWrap());
        threads.AddColumn(new TableColumn("[bold]Seen[/]").Width(7).RightAligned().NoWrap());
        threads.AddColumn(new TableColumn("[bold]State[/]").Width(8).NoWrap());
        threads.AddColumn(new TableColumn("[bold]Run %[/]").Width(6).RightAligned().NoWrap());
        int frameWidth = Math.Max(10, (width - 20 - 7 - 8 - 6 - 24) / 2);
        threads.AddColumn(new TableColumn("[bold]Top frame[/]").Width(frameWidth).NoWrap());
        threads.AddColumn(new TableColumn("[bold]Boundary[/]").Width(frameWidth).NoWrap());
        foreach (TopThread thread in snapshot.Threads.Take(threadRows))
        {
            threads.AddRow(
                new Text(ThreadLabel(thread)) { Overflow = Overflow.Ellipsis },
                new Text(Duration(thread.Seen)),
                new Markup(thread.Running ? "[green]running[/]" : "[yellow]waiting[/]"),
                new Text(Percent(thread.RunningShare)),
                new Text(ShortName(thread.Leaf)) { Overflow = Overflow.Ellipsis },
                new Text(thread.Boundary is { } boundary ? ShortName(boundary) : "-") { Overflow = Overflow.Ellipsis });
        }

        string keys = status ?? string.Create(CultureInfo.InvariantCulture, $"q quit · i idle frames {(idle ? "on" : "off")} · window analysed in {snapshot.AnalysisTime.TotalMilliseconds:0} ms");
        return new Rows(
            new Markup("[bold]" + Markup.Escape(HeaderLine(header, snapshot, now)) + "[/]"),
            frames,
            threads,
            new Markup("[dim]" + Markup.Escape(keys) + "[/]"));
    }

    /// <summary>The same content as plain text (no colours, no cursor movement), for pipes and scripts.</summary>
    public static string PlainText(TopHeader header, TopSnapshot snapshot, DateTime now, bool idle, int frameRows, int threadRows)
    {
        var text = new StringBuilder();
        text.AppendLine(HeaderLine(header, snapshot, now));
        text.AppendLine();
        text.AppendLine(FramesTitle(snapshot, idle));
        text.AppendLine("  Own %  Total %  Frame");
        foreach (TopFrame frame in snapshot.Frames.Take(frameRows))
        {
            text.Append(CultureInfo.InvariantCulture, $"{Percent(frame.SelfShare),7}  {Percent(frame.TotalShare),7}  ").AppendLine(frame.Name);
        }

        text.AppendLine();
        text.AppendLine(ThreadsTitle(snapshot));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"Thread",-24} {"Seen",8} {"State",-8} {"Run %",6}  Top frame | Boundary"));
        foreach (TopThread thread in snapshot.Threads.Take(threadRows))
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{Clip(ThreadLabel(thread), 24),-24} {Duration(thread.Seen),8} {(thread.Running ? "running" : "waiting"),-8} {Percent(thread.RunningShare),6}  {thread.Leaf} | {thread.Boundary ?? "-"}"));
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"(window analysed in {snapshot.AnalysisTime.TotalMilliseconds:0} ms)"));

        return text.ToString();
    }

    /// <summary>A frame without its signature, for the terminal's width: <c>Busy.Spin</c> of <c>Busy.Spin(value class System.TimeSpan)</c>.</summary>
    internal static string ShortName(string frame)
    {
        int open = frame.IndexOf('(', StringComparison.Ordinal);
        return open > 0 ? frame[..open] : frame;
    }

    private static string ThreadLabel(TopThread thread) =>
        string.IsNullOrEmpty(thread.Name)
            ? thread.OsId.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{thread.OsId} {thread.Name}");

    private static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalSeconds < 60
            ? span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
            : span.TotalMinutes < 60
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m{span.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:00}m");

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}

using System.CommandLine;
using System.Text;
using StatProf.Analysis;
using StatProf.Analysis.NetTrace;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof report FILE... [--format text|json|html|folded|speedscope|pprof] [-o OUT] [--request ID] [--ignore PATTERN]...
/// [--where EXPR]</c>: reads record files as one set and prints where the slow requests' time went —
/// the optimization spots of the hot/cold boundary, frames by self samples with their intervals, the
/// slowest requests; <c>html</c> is an interactive page with flame graphs (docs/reports.md); or exports
/// the samples as folded stacks, speedscope or pprof (docs/formats.md). Inputs may also be folded
/// stacks or .nettrace captures. Reading large inputs shows a progress bar on stderr when it is a
/// terminal. Exit codes: 0 success; 2 a usage error (unknown format, bad <c>--where</c> or
/// <c>--ignore</c>, no such request); 3 a file that cannot be read or written. Every error is one
/// line on stderr.
/// </summary>
internal static class ReportCommand
{
    /// <summary>Exit code of a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a file that cannot be read or written.</summary>
    public const int FileError = 3;

    /// <summary>The formats this verb writes; <c>pprof</c> is binary and needs <c>-o</c>.</summary>
    private static readonly string[] Formats = ["text", "json", "html", "folded", "speedscope", "pprof"];

    private static string FormatList => string.Join(", ", Formats.SkipLast(1)) + " or " + Formats[^1];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "Record files (JSON lines, .gz accepted), folded stacks or .nettrace captures (dotnet-trace), read as one set in name order: rotated files, several processes.",
            Arity = ArgumentArity.ZeroOrMore, // none given is reported by Run in one line, not by the parser's help dump
        };
        var format = new Option<string>("--format", "-f")
        {
            Description = "text, json, html (an interactive page with flame graphs; give it -o FILE), folded (flamegraph.pl / inferno input), speedscope (speedscope.app) or pprof (go tool pprof, Pyroscope, Grafana; binary, needs -o). See docs/reports.md and docs/formats.md.",
            DefaultValueFactory = _ => "text",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the report to this file instead of stdout (required for pprof)." };
        var request = new Option<string?>("--request") { Description = "Only the request with this id." };
        var ignore = new Option<string[]>("--ignore")
        {
            Description = "Frames to drop (PATTERN or drop:PATTERN), fold into a leaf (fold:PATTERN) or keep despite the defaults (keep:PATTERN); * and ? are wildcards. Repeatable.",
        };
        var noDefaultIgnores = new Option<bool>("--no-default-ignores") { Description = "Do not drop the default runtime plumbing frames." };
        var where = new Option<string?>("--where", "-w")
        {
            Description = $"Only requests matching, e.g. 'duration>2s and name~\"/orders\" and frame~PriceLine'. Fields: {RequestFilter.Fields}.",
        };
        var top = new Option<int>("--top")
        {
            Description = "Rows per table of the text report.",
            DefaultValueFactory = _ => 20,
        };

        var byLine = new Option<bool>("--by-line")
        {
            Description = "Frames are methods at a source line (Name in File:line N) where the records carry lines: spots name the exact call site. See docs/source-lines.md.",
        };

        var command = new Command("report", "Report where slow requests spent their time: optimization spots, frames, slowest requests; or export their samples as folded stacks, speedscope or pprof.")
        {
            files, format, output, request, ignore, noDefaultIgnores, where, top, byLine,
        };
        command.SetAction(parse => Run(
            new ReportSettings
            {
                Files = parse.GetValue(files) ?? [],
                Format = parse.GetValue(format) ?? "text",
                Output = parse.GetValue(output),
                RequestId = parse.GetValue(request),
                Ignore = parse.GetValue(ignore) ?? [],
                NoDefaultIgnores = parse.GetValue(noDefaultIgnores),
                Where = parse.GetValue(where),
                Top = parse.GetValue(top),
                ByLine = parse.GetValue(byLine),
            },
            stdout,
            stderr));
        return command;
    }

    /// <summary>Runs the verb; returns the process exit code.</summary>
    public static int Run(ReportSettings settings, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string format = settings.Format.Trim().ToLowerInvariant();
        if (!Formats.Contains(format))
        {
            return Fail(stderr, UsageError, $"unknown --format '{settings.Format}'; use {FormatList}.");
        }

        if (settings.Files.Count == 0)
        {
            return Fail(stderr, UsageError, "no record file given.");
        }

        if (format == "pprof" && settings.Output is null)
        {
            // A binary profile on a terminal or through a text pipe helps nobody: it goes to a file.
            return Fail(stderr, UsageError, "--format pprof writes a binary (gzipped) profile: give -o FILE.");
        }

        if (settings.Top is < 1 or > 100_000)
        {
            return Fail(stderr, UsageError, "--top must be between 1 and 100000.");
        }

        if (!Selection.TryParse(settings.Where, settings.Ignore, settings.NoDefaultIgnores, out RequestFilter? filter, out IgnoreSet ignore, out string? selectionError))
        {
            return Fail(stderr, UsageError, selectionError);
        }

        foreach (string file in settings.Files)
        {
            if (!File.Exists(file))
            {
                return Fail(stderr, FileError, Directory.Exists(file) ? $"{file} is a directory, not a record file." : $"{file}: no such file.");
            }
        }

        RecordSet set;
        try
        {
            // Name order is time order for a process's files (docs/record-format.md), so rotated
            // files are read in sequence however the shell or the user listed them.
            string[] files = settings.Files.Order(StringComparer.Ordinal).ToArray();
            set = ReadProgress.Run(stderr, files, progress => ReadInputs(files, progress, settings.ByLine));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(stderr, FileError, $"cannot read: {OneLine(ex.Message)}");
        }

        if (settings.RequestId is { } id && !set.Requests.Any(r => r.Id == id))
        {
            return Fail(stderr, UsageError, $"no request with id '{id}' in {set.Requests.Count} requests read.");
        }

        Profile profile = Analyzer.Analyze(set, new AnalysisOptions { Ignore = ignore, Where = filter, RequestId = settings.RequestId });
        var textOptions = new TextReportOptions { TopFrames = settings.Top, TopSpots = Math.Min(settings.Top, 10), TopRequests = Math.Min(settings.Top, 10) };
        var htmlOptions = new HtmlReportOptions();
        if (format == "html" && !settings.ByLine && set.HasSourceLines)
        {
            // By method, the page also shows a zoomed method's samples by line: the same records
            // read again by line (one more pass over the files: a sample's lines are not kept by method).
            try
            {
                RecordSet lineSet = ReadInputs(settings.Files.Order(StringComparer.Ordinal).ToArray(), null, byLine: true);
                htmlOptions = new HtmlReportOptions { LineProfile = Analyzer.Analyze(lineSet, new AnalysisOptions { Ignore = ignore, Where = filter, RequestId = settings.RequestId }) };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                return Fail(stderr, FileError, $"cannot read: {OneLine(ex.Message)}");
            }
        }

        try
        {
            if (settings.Output is null)
            {
                Write(profile, format, textOptions, htmlOptions, stdout);
            }
            else if (format == "html")
            {
                using (var file = new FileStream(settings.Output, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
                {
                    ReportWriter.WriteHtml(profile, file, htmlOptions);
                }

                stdout.WriteLine($"statprof report: wrote {settings.Output} ({profile.Requests.Count} requests, {profile.Samples} samples, {set.Skipped.Total} lines skipped).");
            }
            else
            {
                if (format == "pprof")
                {
                    using var file = new FileStream(settings.Output, FileMode.Create, FileAccess.Write);
                    ExportWriter.WritePprof(profile, file);
                }
                else
                {
                    using var writer = new StreamWriter(settings.Output, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                    Write(profile, format, textOptions, htmlOptions, writer);
                }

                stdout.WriteLine($"statprof report: wrote {settings.Output} ({profile.Requests.Count} requests, {profile.Samples} samples, {set.Skipped.Total} lines skipped).");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, FileError, $"cannot write {settings.Output}: {OneLine(ex.Message)}");
        }

        return 0;
    }

    /// <summary>
    /// Reads record files, folded stacks (recognised by content) and .nettrace captures (by their
    /// magic bytes) into one set, telling <paramref name="progress"/> (when shown) how far it got.
    /// </summary>
    private static RecordSet ReadInputs(IEnumerable<string> files, ReadProgress.Tracker? progress, bool byLine = false)
    {
        var reader = new RecordReader(new RecordReaderOptions { Progress = progress, ByLine = byLine });
        foreach (string file in files)
        {
            if (NetTraceReader.IsNetTrace(file))
            {
                NetTraceReader.Read(reader, file);
                progress?.AddFile(file);
            }
            else
            {
                reader.ReadFile(file);
            }
        }

        return reader.Complete();
    }

    private static void Write(Profile profile, string format, TextReportOptions options, HtmlReportOptions htmlOptions, TextWriter output)
    {
        switch (format)
        {
            case "json":
                ReportWriter.WriteJson(profile, output);
                break;
            case "folded":
                ExportWriter.WriteFolded(profile, output);
                break;
            case "speedscope":
                ExportWriter.WriteSpeedscope(profile, output);
                break;
            case "html":
                using (var page = new MemoryStream())
                {
                    ReportWriter.WriteHtml(profile, page, htmlOptions);
                    output.Write(Encoding.UTF8.GetString(page.GetBuffer(), 0, (int)page.Length));
                }

                break;
            default:
                ReportWriter.WriteText(profile, output, options);
                break;
        }
    }

    private static int Fail(TextWriter stderr, int code, string message)
    {
        stderr.WriteLine($"statprof report: {OneLine(message)}");
        return code;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

/// <summary>The arguments of <c>statprof report</c>.</summary>
internal sealed record ReportSettings
{
    /// <summary>Record files, read as one set.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary><c>text</c>, <c>json</c>, <c>html</c>, <c>folded</c>, <c>speedscope</c> or <c>pprof</c> (binary: needs <see cref="Output"/>). Default: text.</summary>
    public string Format { get; init; } = "text";

    /// <summary>Output file; <c>null</c> for stdout.</summary>
    public string? Output { get; init; }

    /// <summary>Only the request with this id.</summary>
    public string? RequestId { get; init; }

    /// <summary>Ignore rules, tried before the defaults.</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>Whether the default ignore rules are left out.</summary>
    public bool NoDefaultIgnores { get; init; }

    /// <summary>A <c>--where</c> expression.</summary>
    public string? Where { get; init; }

    /// <summary>Rows per table of the text report. Default: 20.</summary>
    public int Top { get; init; } = 20;

    /// <summary>Frames are methods at a source line where the records carry lines (<c>--by-line</c>).</summary>
    public bool ByLine { get; init; }
}

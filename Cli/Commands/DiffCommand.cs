using System.CommandLine;
using System.Globalization;
using System.Text;
using StatProf.Analysis;

namespace StatProf.Cli.Commands;

/// <summary>
/// <c>statprof diff BEFORE AFTER [--format text|json|html] [-o OUT] [--ignore PATTERN]...
/// [--where EXPR] [--alpha A] [--min-change C]</c>: compares two record sets (before/after a change,
/// two hosts, two windows) frame by frame and spot by spot with significance tests
/// (<see cref="ProfileDiff"/>). BEFORE and AFTER are each a record file or a comma-separated list of
/// files read as one set (rotated files, several processes). <c>html</c> is a differential flame
/// graph: the after profile's graph, frames red when they grew significantly, blue when they shrank,
/// grey when the change is noise. Exit codes: 0 success; 2 a usage error; 3 a file that cannot be
/// read or written. Every error is one line on stderr.
/// </summary>
internal static class DiffCommand
{
    /// <summary>Exit code of a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a file that cannot be read or written.</summary>
    public const int FileError = 3;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var before = new Argument<string?>("before")
        {
            Description = "The baseline: a record file, or several as a comma-separated list read as one set.",
            Arity = ArgumentArity.ZeroOrOne, // a missing one is reported by Run in one line
        };
        var after = new Argument<string?>("after")
        {
            Description = "The profile to judge: a record file, or several as a comma-separated list.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var format = new Option<string>("--format", "-f")
        {
            Description = "text, json or html (a differential flame graph; give it -o FILE).",
            DefaultValueFactory = _ => "text",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the diff to this file instead of stdout." };
        var ignore = new Option<string[]>("--ignore")
        {
            Description = "Frames to drop (PATTERN or drop:PATTERN), fold (fold:PATTERN) or keep (keep:PATTERN) on both sides. Repeatable.",
        };
        var noDefaultIgnores = new Option<bool>("--no-default-ignores") { Description = "Do not drop the default runtime plumbing frames." };
        var where = new Option<string?>("--where", "-w") { Description = $"Only requests matching, on both sides. Fields: {RequestFilter.Fields}." };
        var alpha = new Option<double>("--alpha")
        {
            Description = "False discovery rate of the significance tests, in (0, 1).",
            DefaultValueFactory = _ => 0.05,
        };
        var minChange = new Option<double>("--min-change")
        {
            Description = "Smallest change of a share worth reporting (0.01 = one percentage point), in [0, 1).",
            DefaultValueFactory = _ => 0.01,
        };
        var top = new Option<int>("--top")
        {
            Description = "Rows per table of the text diff.",
            DefaultValueFactory = _ => 20,
        };

        var byLine = new Option<bool>("--by-line")
        {
            Description = "Frames are methods at a source line (Name in File:line N) where the records carry lines, on both sides: a change names the line. See docs/source-lines.md.",
        };

        var command = new Command("diff", "Compare two record sets: which frames and optimization spots grew or shrank significantly.")
        {
            before, after, format, output, ignore, noDefaultIgnores, where, alpha, minChange, top, byLine,
        };
        command.SetAction(parse => Run(
            new DiffSettings
            {
                Before = parse.GetValue(before),
                After = parse.GetValue(after),
                Format = parse.GetValue(format) ?? "text",
                Output = parse.GetValue(output),
                Ignore = parse.GetValue(ignore) ?? [],
                NoDefaultIgnores = parse.GetValue(noDefaultIgnores),
                Where = parse.GetValue(where),
                Alpha = parse.GetValue(alpha),
                MinimumChange = parse.GetValue(minChange),
                Top = parse.GetValue(top),
                ByLine = parse.GetValue(byLine),
            },
            stdout,
            stderr));
        return command;
    }

    /// <summary>Runs the verb; returns the process exit code.</summary>
    public static int Run(DiffSettings settings, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string format = settings.Format.Trim().ToLowerInvariant();
        if (format is not ("text" or "json" or "html"))
        {
            return Fail(stderr, UsageError, $"unknown --format '{settings.Format}'; use text, json or html.");
        }

        if (string.IsNullOrWhiteSpace(settings.Before) || string.IsNullOrWhiteSpace(settings.After))
        {
            return Fail(stderr, UsageError, "give two record sets: statprof diff BEFORE AFTER (each a file or a comma-separated list of files).");
        }

        if (!(settings.Alpha > 0 && settings.Alpha < 1))
        {
            return Fail(stderr, UsageError, "--alpha must be in (0, 1).");
        }

        if (!(settings.MinimumChange >= 0 && settings.MinimumChange < 1))
        {
            return Fail(stderr, UsageError, "--min-change must be in [0, 1).");
        }

        if (settings.Top is < 1 or > 100_000)
        {
            return Fail(stderr, UsageError, "--top must be between 1 and 100000.");
        }

        if (!Selection.TryParse(settings.Where, settings.Ignore, settings.NoDefaultIgnores, out RequestFilter? filter, out IgnoreSet ignore, out string? selectionError))
        {
            return Fail(stderr, UsageError, selectionError);
        }

        var options = new AnalysisOptions { Ignore = ignore, Where = filter };
        int code = Read("BEFORE", settings.Before, options, settings.ByLine, stderr, out Profile? before);
        if (code != 0)
        {
            return code;
        }

        code = Read("AFTER", settings.After, options, settings.ByLine, stderr, out Profile? after);
        if (code != 0)
        {
            return code;
        }

        ProfileDiff diff = ProfileDiff.Compare(before!, after!, new DiffOptions { Alpha = settings.Alpha, MinimumChange = settings.MinimumChange });
        var textOptions = new TextReportOptions { TopFrames = settings.Top, TopSpots = Math.Min(settings.Top, 10), TopRequests = Math.Min(settings.Top, 10) };
        try
        {
            if (settings.Output is null)
            {
                if (format == "html")
                {
                    using var page = new MemoryStream();
                    ReportWriter.WriteHtml(diff, page);
                    stdout.Write(Encoding.UTF8.GetString(page.GetBuffer(), 0, (int)page.Length));
                }
                else
                {
                    Write(diff, format, textOptions, stdout);
                }
            }
            else
            {
                if (format == "html")
                {
                    using var file = new FileStream(settings.Output, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
                    ReportWriter.WriteHtml(diff, file);
                }
                else
                {
                    using var writer = new StreamWriter(settings.Output, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                    Write(diff, format, textOptions, writer);
                }

                stdout.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"statprof diff: wrote {settings.Output} ({before!.Samples} samples before, {after!.Samples} after; {diff.FrameRegressions.Count()} frames grew, {diff.Frames.Count(f => f.Kind == ChangeKind.Improvement)} shrank)."));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, FileError, $"cannot write {settings.Output}: {OneLine(ex.Message)}");
        }

        return 0;
    }

    /// <summary>Reads one side: a file or a comma-separated list, as one set; analyses it.</summary>
    private static int Read(string side, string files, AnalysisOptions options, bool byLine, TextWriter stderr, out Profile? profile)
    {
        profile = null;
        string[] paths = files.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (paths.Length == 0)
        {
            return Fail(stderr, UsageError, $"{side} names no file.");
        }

        foreach (string path in paths)
        {
            if (!File.Exists(path))
            {
                return Fail(stderr, FileError, Directory.Exists(path) ? $"{side}: {path} is a directory, not a record file." : $"{side}: {path}: no such file.");
            }
        }

        RecordSet set;
        try
        {
            set = RecordReader.ReadFiles(paths.Order(StringComparer.Ordinal), new RecordReaderOptions { ByLine = byLine });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, FileError, $"{side}: cannot read: {OneLine(ex.Message)}");
        }

        profile = Analyzer.Analyze(set, options);
        if (profile.Samples == 0)
        {
            return Fail(stderr, UsageError, $"{side} has no samples{(options.Where is null ? "" : " matching --where")}: nothing to compare.");
        }

        return 0;
    }

    private static void Write(ProfileDiff diff, string format, TextReportOptions options, TextWriter output)
    {
        if (format == "json")
        {
            ReportWriter.WriteJson(diff, output);
        }
        else
        {
            ReportWriter.WriteText(diff, output, options);
        }
    }

    private static int Fail(TextWriter stderr, int code, string message)
    {
        stderr.WriteLine($"statprof diff: {OneLine(message)}");
        return code;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

/// <summary>The arguments of <c>statprof diff</c>.</summary>
internal sealed record DiffSettings
{
    /// <summary>The baseline: a file or a comma-separated list.</summary>
    public string? Before { get; init; }

    /// <summary>The profile to judge: a file or a comma-separated list.</summary>
    public string? After { get; init; }

    /// <summary><c>text</c>, <c>json</c> or <c>html</c>. Default: text.</summary>
    public string Format { get; init; } = "text";

    /// <summary>Output file; <c>null</c> for stdout.</summary>
    public string? Output { get; init; }

    /// <summary>Ignore rules, tried before the defaults, on both sides.</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>Whether the default ignore rules are left out.</summary>
    public bool NoDefaultIgnores { get; init; }

    /// <summary>A <c>--where</c> expression, applied to both sides.</summary>
    public string? Where { get; init; }

    /// <summary>The false discovery rate. Default: 0.05.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>The smallest change of a share reported. Default: 0.01.</summary>
    public double MinimumChange { get; init; } = 0.01;

    /// <summary>Rows per table of the text diff. Default: 20.</summary>
    public int Top { get; init; } = 20;

    /// <summary>Frames are methods at a source line on both sides (<c>--by-line</c>). Default: false.</summary>
    public bool ByLine { get; init; }
}

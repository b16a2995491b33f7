using Spectre.Console;

namespace StatProf.Cli.Commands;

/// <summary>
/// A progress bar (bytes read of the inputs' total size) on stderr while large inputs are read, only
/// when that stderr is the process's own and a terminal: tests (which pass their own writers), pipes
/// and CI get nothing. Inputs smaller than <see cref="MinimumBytes"/> in total read too fast to need one.
/// </summary>
internal static class ReadProgress
{
    /// <summary>The total input size from which a bar is shown: 4 MiB.</summary>
    public const long MinimumBytes = 4 * 1024 * 1024;

    /// <summary>Runs <paramref name="read"/>, with a tracker when a bar is shown, else with <c>null</c>.</summary>
    public static T Run<T>(TextWriter stderr, IReadOnlyList<string> files, Func<Tracker?, T> read)
    {
        long total = files.Sum(file => new FileInfo(file).Length);
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected || total < MinimumBytes)
        {
            return read(null);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new RemainingTimeColumn())
            .Start(context => read(new Tracker(context.AddTask("reading", maxValue: total))));
    }

    /// <summary>Bytes read: what the record reader reports plus the files imported by other readers.</summary>
    internal sealed class Tracker(ProgressTask task) : IProgress<long>
    {
        private long _recordBytes;
        private long _otherBytes;

        /// <summary>Bytes the record reader has read (cumulative over its files).</summary>
        public void Report(long value)
        {
            _recordBytes = value;
            task.Value = _recordBytes + _otherBytes;
        }

        /// <summary>A file read by another reader (a .nettrace capture) is done.</summary>
        public void AddFile(string path)
        {
            _otherBytes += new FileInfo(path).Length;
            task.Value = _recordBytes + _otherBytes;
        }
    }
}

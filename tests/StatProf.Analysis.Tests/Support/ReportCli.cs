using System.CommandLine;
using StatProf.Cli.Commands;

namespace StatProf.Analysis.Tests.Support;

/// <summary>Runs <c>statprof report</c> in process, as the command line parses it, capturing its output.</summary>
internal sealed class ReportCli : IDisposable
{
    public StringWriter Stdout { get; } = new();

    public StringWriter Stderr { get; } = new();

    public int Report(params string[] args)
    {
        Stdout.GetStringBuilder().Clear();
        Stderr.GetStringBuilder().Clear();
        var root = new RootCommand("test") { ReportCommand.Create(Stdout, Stderr) };
        return root.Parse(["report", .. args]).Invoke(new InvocationConfiguration { Output = Stdout, Error = Stderr });
    }

    public void Dispose()
    {
        Stdout.Dispose();
        Stderr.Dispose();
    }
}

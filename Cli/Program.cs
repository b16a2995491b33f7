using System.CommandLine;
using StatProf.Cli.Commands;

namespace StatProf.Cli;

/// <summary>The <c>statprof</c> command line: one file per verb under <c>Commands/</c>.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("statprof: a statistical sampling profiler for .NET services.")
        {
            DemoCommand.Create(Console.Out, Console.Error),
            ReportCommand.Create(Console.Out, Console.Error),
            DiffCommand.Create(Console.Out, Console.Error),
            RecordCommand.Create(Console.Out, Console.Error),
            AttachCommand.Create(Console.Out, Console.Error),
            DumpCommand.Create(Console.Out, Console.Error),
            TopCommand.Create(Console.Out, Console.Error),
        };
        return root.Parse(args).Invoke();
    }
}

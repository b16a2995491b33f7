using Spectre.Console;

namespace StatProf.Cli;

/// <summary>Spectre consoles over the verbs' writers: colours and live widgets only on a real terminal.</summary>
internal static class ConsoleFactory
{
    public static IAnsiConsole Create(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        return console;
    }
}

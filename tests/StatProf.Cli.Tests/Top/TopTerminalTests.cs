using System.Diagnostics;
using System.Globalization;
using StatProf.Cli.Tests.Record;

namespace StatProf.Cli.Tests.Top;

/// <summary>
/// <c>statprof top</c> on a real pseudo-terminal (util-linux <c>script</c>, Linux only), as a user
/// runs it: the live view shows the busy method, <c>q</c> or Ctrl-C quits with exit code 0, and the
/// terminal is given back: the alternate screen is left and the cursor shown again.
/// </summary>
public sealed class TopTerminalTests
{
    private const string EnterAlternateScreen = "\u001b[?1049h";
    private const string LeaveAlternateScreen = "\u001b[?1049l";
    private const string ShowCursor = "\u001b[?25h";
    private const string HideCursor = "\u001b[?25l";

    [Fact]
    public void QQuitsAndRestoresTheTerminal() => QuitWith("q");

    [Fact]
    public void CtrlCQuitsAndRestoresTheTerminal() => QuitWith("\u0003"); // the terminal turns it into SIGINT

    private static void QuitWith(string keys)
    {
        using Process target = Targets.StartBusyTarget(seconds: 60);
        try
        {
            // exec: script runs the command under $SHELL -c, and dash (/bin/sh, which script uses when
            // SHELL is unset) stays as statprof's parent and dies of the terminal's SIGINT itself.
            string command = $"exec '{Targets.Dotnet}' '{Targets.StatprofDll}' top -p {target.Id.ToString(CultureInfo.InvariantCulture)} --refresh 0.3";
            using var terminal = new LiveProcess("script", ["-qfec", command, "/dev/null"], new Dictionary<string, string> { ["SHELL"] = "/bin/sh", ["TERM"] = "xterm-256color", ["COLUMNS"] = "160", ["LINES"] = "40" });
            terminal.WaitForOutput("Busy.Spin", TimeSpan.FromSeconds(60));

            terminal.Send(keys);

            Assert.Equal(0, terminal.WaitForExit(TimeSpan.FromSeconds(30)));
            string screen = terminal.Stdout;
            int entered = screen.IndexOf(EnterAlternateScreen, StringComparison.Ordinal);
            Assert.True(entered >= 0, "the live view did not use the alternate screen");
            Assert.Contains(HideCursor, screen, StringComparison.Ordinal);
            int left = screen.LastIndexOf(LeaveAlternateScreen, StringComparison.Ordinal);
            Assert.True(left > entered, "the alternate screen was not left");
            Assert.True(screen.LastIndexOf(ShowCursor, StringComparison.Ordinal) > screen.LastIndexOf(HideCursor, StringComparison.Ordinal), "the cursor was left hidden");
            Assert.Contains("Hottest frames over the last 10 s", screen, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", screen, StringComparison.Ordinal);
            Assert.False(target.HasExited);
        }
        finally
        {
            Targets.Stop(target);
        }
    }
}

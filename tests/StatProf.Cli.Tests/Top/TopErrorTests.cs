using System.Diagnostics;
using StatProf.Cli.Tests.Record;
using StatProf.Cli.Top;

namespace StatProf.Cli.Tests.Top;

/// <summary>The errors of <c>statprof top</c>: the same one-line messages and exit codes as <c>attach</c>.</summary>
public sealed class TopErrorTests
{
    [Fact]
    public void NoSuchProcess()
    {
        using Process gone = Process.Start("true")!;
        gone.WaitForExit();

        var (exit, stdout, stderr) = Top(new TopSettings { ProcessId = gone.Id, Once = true });

        Assert.Equal(4, exit);
        Assert.Equal($"statprof top: no process with id {gone.Id}.", stderr.Trim());
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public void AProcessThatIsNotDotnet()
    {
        using Process sleep = Process.Start("sleep", ["60"])!;
        try
        {
            var (exit, _, stderr) = Top(new TopSettings { ProcessId = sleep.Id, Once = true });

            Assert.Equal(4, exit);
            Assert.Equal($"statprof top: cannot attach to process {sleep.Id} (sleep): it is not a .NET process (no dotnet-diagnostic socket, no CoreCLR loaded).", stderr.Trim());
        }
        finally
        {
            Targets.Stop(sleep);
        }
    }

    [Fact]
    public void NoProcessGivenIsAUsageError()
    {
        var (exit, _, stderr) = Targets.Run(Targets.Dotnet, [Targets.StatprofDll, "top", "--once"]);

        Assert.Equal(2, exit);
        Assert.Equal("statprof top: give the process to watch with -p PID.", stderr.Trim());
    }

    [Fact]
    public void ABadRefreshIsAUsageError()
    {
        var (exit, _, stderr) = Top(new TopSettings { ProcessId = Environment.ProcessId, RefreshSeconds = 0 });

        Assert.Equal(2, exit);
        Assert.Equal("statprof top: --refresh must be between 0.1 and 3600 seconds.", stderr.Trim());
    }

    private static (int Exit, string Stdout, string Stderr) Top(TopSettings settings)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = TopSession.Run(settings, stdout, stderr, CancellationToken.None);
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return (exit, stdout.ToString(), stderr.ToString());
    }
}

using System.Diagnostics;
using System.Globalization;
using StatProf.Cli.Commands;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// The errors of <c>statprof dump</c>: each one line on stderr and exit code 2 (usage) or 4 (a
/// target that cannot be dumped).
/// </summary>
[Collection(DumpRun.Collection)]
public sealed class DumpErrorTests
{
    [Fact]
    public void NoSuchProcessIsOneLineAndExit4()
    {
        int pid = UnusedPid();

        var (exit, stdout, stderr) = DumpRun.Executable([], "dump", "-p", pid.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(4, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"statprof dump: no process with id {pid}.\n", stderr);
    }

    [Fact]
    public void AProcessThatIsNotDotNetIsOneLineAndExit4()
    {
        // A grandchild, as every dump target here: a direct child that the test process would ptrace
        // hangs the attach (see TargetProcess).
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("sleep 60 & echo $!; wait");
        using var shell = Process.Start(start)!;
        using var sleep = Process.GetProcessById(int.Parse(shell.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            // $! is printed right after the fork: until the child has exec'd sleep it is still "sh".
            var clock = Stopwatch.StartNew();
            while (File.ReadAllText($"/proc/{sleep.Id}/comm").Trim() != "sleep" && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(20);
            }

            var (exit, stdout, stderr) = DumpRun.InProcess(new DumpSettings { ProcessId = sleep.Id });

            Assert.Equal(4, exit);
            Assert.Equal(string.Empty, stdout);
            Assert.Equal($"statprof dump: process {sleep.Id} (sleep) is not a .NET process: no .NET runtime is loaded in it.{Environment.NewLine}", stderr);
            Assert.False(sleep.HasExited, "the target runs on");
        }
        finally
        {
            sleep.Kill();
            shell.WaitForExit(10_000);
        }
    }

    [Fact]
    public void AnotherUsersProcessIsPermissionDeniedInOneLineAndExit4()
    {
        // As root: statprof runs as nobody (setpriv) against the test's own (root's) target.
        // As another user: statprof runs as that user against init (pid 1, root's).
        bool root = Environment.UserName == "root";
        using TargetProcess? target = root ? TargetProcess.Start("BlockedTarget") : null;
        int pid = target?.Id ?? 1;
        string[] prefix = root ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];

        var (exit, stdout, stderr) = DumpRun.Executable(prefix, "dump", "-p", pid.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(4, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Matches(@$"^statprof dump: permission denied attaching to process {pid} \([^)]+\): run statprof as the process's user or as root \(ptrace needs the same user, CAP_SYS_PTRACE, or kernel\.yama\.ptrace_scope 0\)\.\n$", stderr);
        Assert.True(target is null || !target.Process.HasExited, "the target runs on");
    }

    [Fact]
    public void ATargetThatExitsDuringTheDumpIsOneLineAndExit4()
    {
        using var target = TargetProcess.Start("BlockedTarget");
        int pid = target.Id;

        // Killed once statprof has attached and paused it: the reads that follow find it gone.
        var (exit, stdout, stderr) = DumpRun.InProcess(new DumpSettings
        {
            ProcessId = pid,
            WhilePaused = () =>
            {
                target.Process.Kill();
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (Alive(pid) && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(10);
                }
            },
        });

        Assert.Equal(4, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"statprof dump: process {pid} (dotnet) exited during the dump.{Environment.NewLine}", stderr);
    }

    [Theory]
    [InlineData(new string[] { "dump" }, "statprof dump: no process given: use -p PID.")]
    [InlineData(new string[] { "dump", "-p", "0" }, "statprof dump: -p 0: a process id is a positive number.")]
    [InlineData(new string[] { "dump", "-p", "1", "--format", "xml" }, "statprof dump: unknown --format 'xml'; use text or json.")]
    public void UsageErrorsAreOneLineAndExit2(string[] args, string message)
    {
        var (exit, stdout, stderr) = DumpRun.Executable([], args);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(message + "\n", stderr);
    }

    private static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int UnusedPid()
    {
        int max = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture);
        for (int pid = max - 1; pid > 1; pid--)
        {
            if (!Directory.Exists($"/proc/{pid}"))
            {
                return pid;
            }
        }

        throw new InvalidOperationException("no unused pid");
    }
}

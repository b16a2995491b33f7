using System.Diagnostics;

namespace StatProf.Sampler.Tests.Reliability;

/// <summary>
/// A real, small filesystem (tmpfs of a given size) that fills up: mounted for a test and unmounted
/// after. Needs root (CI and this machine run tests as root); the mount failing fails the test with
/// the reason rather than skipping it.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public static SmallDisk Mount(int bytes)
    {
        string path = Directory.CreateTempSubdirectory("statprof-small-disk-").FullName;
        (int exit, string error) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes},mode=0700", "tmpfs", path);
        Assert.True(exit == 0, $"cannot mount a {bytes} byte tmpfs on {path} (root is needed): {error}");
        return new SmallDisk(path);
    }

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static (int Exit, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Trim());
    }
}

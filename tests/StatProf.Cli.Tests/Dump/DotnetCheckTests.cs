using System.Diagnostics;
using StatProf.Cli.Dump;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// <c>statprof dump</c> tells a process that is not .NET from /proc before any ptrace attach, and
/// never takes a real .NET program for one: a framework-dependent app (libcoreclr.so mapped) and a
/// self-contained single-file app (the runtime linked into its host: no libcoreclr.so).
/// </summary>
[Collection(DumpRun.Collection)]
public sealed class DotnetCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("statprof-single-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// The non-.NET target is a direct child of this test process, which dumps in-process: were
    /// statprof to ptrace-attach it, the attach would hang (see <see cref="TargetProcess"/>), so the
    /// prompt answer shows none was made.
    /// </summary>
    [Fact]
    public async Task ANonDotnetDirectChildGetsItsErrorWithoutAnAttach()
    {
        using Process sleep = Process.Start("sleep", ["60"])!;
        try
        {
            Assert.True(ThreadDumper.IsSurelyNotDotnet(sleep.Id));
            // A hang (an attach) fails with a TimeoutException instead of blocking the run.
            var (exit, _, stderr) = await Task.Run(() => DumpRun.InProcess(new StatProf.Cli.Commands.DumpSettings { ProcessId = sleep.Id }))
                .WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(4, exit);
            Assert.Equal($"statprof dump: process {sleep.Id} (sleep) is not a .NET process: no .NET runtime is loaded in it.", stderr.Trim());
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }

    [Fact]
    public void AFrameworkDependentAppIsDotnet()
    {
        using TargetProcess target = TargetProcess.Start("BlockedTarget");

        Assert.False(ThreadDumper.IsSurelyNotDotnet(target.Id));
    }

    [Fact]
    public void ASelfContainedSingleFileAppIsDotnet()
    {
        string app = PublishSingleFile();
        var start = new ProcessStartInfo(app) { RedirectStandardOutput = true, UseShellExecute = false };
        using Process process = Process.Start(start)!;
        try
        {
            Assert.Equal("ready", process.StandardOutput.ReadLine());
            Assert.DoesNotContain(File.ReadLines($"/proc/{process.Id}/maps"), l => l.Contains("libcoreclr", StringComparison.Ordinal));

            Assert.False(ThreadDumper.IsSurelyNotDotnet(process.Id));
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>Publishes a tiny program as one self-contained file (about 30 s here).</summary>
    private string PublishSingleFile()
    {
        string project = Path.Combine(_directory, "src");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "Tiny.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                <SelfContained>true</SelfContained>
                <PublishSingleFile>true</PublishSingleFile>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), "System.Console.WriteLine(\"ready\");\nSystem.Threading.Thread.Sleep(60_000);\n");
        string output = Path.Combine(_directory, "out");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = project };
        foreach (string arg in (string[])["publish", "-c", "Release", "-o", output, "-nologo"])
        {
            start.ArgumentList.Add(arg);
        }

        using Process publish = Process.Start(start)!;
        Task<string> stderr = publish.StandardError.ReadToEndAsync();
        string stdout = publish.StandardOutput.ReadToEnd();
        Assert.True(publish.WaitForExit(TimeSpan.FromMinutes(5)), "dotnet publish did not finish in 5 min");
        Assert.True(publish.ExitCode == 0, stdout + stderr.Result);
        return Path.Combine(output, "Tiny");
    }
}

using System.Diagnostics;
using System.Text.Json;
using StatProf.Cli.Commands;

namespace StatProf.Cli.Tests.Dump;

/// <summary>Runs <c>statprof dump</c> in the test process or as the real <c>statprof</c> executable.</summary>
internal static class DumpRun
{
    /// <summary>The collection that runs the dump tests one at a time (each pauses and reads a whole process).</summary>
    public const string Collection = "statprof dump";

    /// <summary>Runs the verb in this process.</summary>
    public static (int Exit, string Stdout, string Stderr) InProcess(DumpSettings settings)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = DumpCommand.Run(settings, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Dumps as JSON in this process and parses it; fails the test on an error.</summary>
    public static JsonElement Json(int pid)
    {
        var (exit, stdout, stderr) = InProcess(new DumpSettings { ProcessId = pid, Format = "json" });
        Assert.True(exit == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Runs <c>dotnet statprof.dll ARGS</c> (optionally through a prefix such as setpriv).</summary>
    public static (int Exit, string Stdout, string Stderr) Executable(string[] prefix, params string[] args)
    {
        string statprof = Path.Combine(AppContext.BaseDirectory, "statprof.dll");
        var start = new ProcessStartInfo(prefix.Length > 0 ? prefix[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in prefix.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        if (prefix.Length > 0)
        {
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(statprof);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), "statprof dump finished");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The thread of the dump with this name.</summary>
    public static JsonElement Thread(JsonElement dump, string name) =>
        dump.GetProperty("threads").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);

    /// <summary>The frames of a thread.</summary>
    public static List<string> Frames(JsonElement thread) =>
        thread.GetProperty("frames").EnumerateArray().Select(f => f.GetString()!).ToList();
}

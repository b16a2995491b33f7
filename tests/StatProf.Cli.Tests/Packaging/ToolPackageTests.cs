using System.Diagnostics;

namespace StatProf.Cli.Tests.Packaging;

/// <summary>
/// The CLI is a dotnet tool: <c>dotnet pack</c> makes the package, <c>dotnet tool install</c> installs
/// it from a local folder (and from nowhere else), and the installed <c>statprof</c> reports a record file.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "statprof-tool-" + Guid.NewGuid().ToString("N"));

    public ToolPackageTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PackThenToolInstallGivesAWorkingStatprofCommand()
    {
        string root = RepositoryRoot();
        string packages = Path.Combine(_dir, "packages");
        string tools = Path.Combine(_dir, "tools");

        // The test run built the CLI in Release already: pack what was built.
        Run("dotnet", ["pack", Path.Combine(root, "Cli", "StatProf.Cli.csproj"), "-c", "Release", "--no-build", "-o", packages], out _);
        Assert.Single(Directory.GetFiles(packages, "statprof.*.nupkg"));

        // Only the local folder as a source: the package installed is the one just made.
        string config = Path.Combine(_dir, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        Run("dotnet", ["tool", "install", "statprof", "--tool-path", tools, "--configfile", config], out string installOutput);
        Assert.Contains("was successfully installed", installOutput, StringComparison.Ordinal);

        string statprof = Path.Combine(tools, OperatingSystem.IsWindows() ? "statprof.exe" : "statprof");
        Assert.Equal(0, Run(statprof, ["--help"], out string help));
        Assert.Contains("report", help, StringComparison.Ordinal);
        Assert.Contains("demo", help, StringComparison.Ordinal);

        string records = Path.Combine(_dir, "records.jsonl");
        File.WriteAllLines(records, RecordLines());
        Assert.Equal(0, Run(statprof, ["report", records], out string report));
        Assert.Contains("Optimization spots", report, StringComparison.Ordinal);
        Assert.Contains("Shop.Pricing.PriceOrder()", report, StringComparison.Ordinal);
    }

    private static string[] RecordLines()
    {
        const string Request = """{"id":"r1","kind":"http","name":"GET /orders/1","startedAt":"2026-11-22T01:00:00.0000000Z","traceId":null,"tags":{}}""";
        return
        [
            """{"type":"header","time":"2026-11-22T01:00:00.0000000Z","format":"statprof-records","version":2,"process":{"pid":7,"name":"Shop","runtime":".NET 10.0.12"},"thresholdMs":1000,"intervalMs":1000,"continuation":false}""",
            """{"type":"stack","time":"2026-11-22T01:00:01.0000000Z","id":1,"truncated":false,"frames":[{"name":"Shop.Program.Main()","module":"Shop"},{"name":"Shop.Pricing.PriceOrder()","module":"Shop"},{"name":"Shop.Pricing.PriceLine()","module":"Shop"}],"traceback":"   at Shop.Pricing.PriceLine()\n   at Shop.Pricing.PriceOrder()\n   at Shop.Program.Main()"}""",
            """{"type":"stack","time":"2026-11-22T01:00:02.0000000Z","id":2,"truncated":false,"frames":[{"name":"Shop.Program.Main()","module":"Shop"},{"name":"Shop.Pricing.PriceOrder()","module":"Shop"},{"name":"Shop.Pricing.Round()","module":"Shop"}],"traceback":"   at Shop.Pricing.Round()\n   at Shop.Pricing.PriceOrder()\n   at Shop.Program.Main()"}""",
            $$"""{"type":"dump","time":"2026-11-22T01:00:01.0000000Z","elapsedMs":1000,"dump":1,"thread":{"os":1,"managed":1},"state":"running","stack":1,"request":{{Request}}}""",
            $$"""{"type":"dump","time":"2026-11-22T01:00:02.0000000Z","elapsedMs":2000,"dump":2,"thread":{"os":1,"managed":1},"state":"running","stack":2,"request":{{Request}}}""",
            $$"""{"type":"dump","time":"2026-11-22T01:00:03.0000000Z","elapsedMs":3000,"dump":3,"thread":{"os":1,"managed":1},"state":"running","stack":1,"request":{{Request}}}""",
            $$"""{"type":"end","time":"2026-11-22T01:00:03.5000000Z","request":{{Request}},"durationMs":3500,"dumps":3,"outcome":"ok","status":200,"error":null}""",
        ];
    }

    private static int Run(string file, string[] arguments, out string output)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{file} {string.Join(' ', arguments)} did not finish in 3 minutes");
        output += stderr.Result;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {output}");
        return process.ExitCode;
    }

    private static string RepositoryRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "StatProf.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("StatProf.sln not found above " + AppContext.BaseDirectory);
    }
}

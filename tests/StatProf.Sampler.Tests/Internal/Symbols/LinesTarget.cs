using System.Diagnostics;
using System.Text.Json;

namespace StatProf.Sampler.Tests.Internal.Symbols;

/// <summary>tests/Targets/LinesTarget: where it is built, the line of its known call site, and a run of it.</summary>
internal static class LinesTarget
{
    /// <summary>tests/StatProf.Sampler.Tests/bin/CONFIG/net10.0/ → tests/Targets/LinesTarget/bin/CONFIG/net10.0/.</summary>
    public static string OutputDirectory
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = here.Parent!.Name;
            string tests = here.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(tests, "Targets", "LinesTarget", "bin", configuration, here.Name);
        }
    }

    /// <summary>The source file of the known method, in the source tree.</summary>
    public static string PricingSource
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string tests = here.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(tests, "Targets", "LinesTarget", "Pricing.cs");
        }
    }

    /// <summary>The 1-based line of the call inside PriceAll's loop, read from the source (marked "the call site").</summary>
    public static int CallSiteLine => Array.FindIndex(File.ReadAllLines(PricingSource), l => l.Contains("// the call site", StringComparison.Ordinal)) + 1;

    /// <summary>Runs LinesTarget (from <paramref name="directory"/>) in logged mode; returns its record lines.</summary>
    public static List<JsonElement> RunLogged(string directory, string recordDirectory, double seconds = 2)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(directory, "LinesTarget.dll"));
        start.ArgumentList.Add("logged");
        start.ArgumentList.Add(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(recordDirectory);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("LinesTarget did not end within 120 s");
        }

        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"LinesTarget exited with {process.ExitCode}: {stderr.Result}");
        Assert.Contains("ready", stdout.Result, StringComparison.Ordinal);
        return Directory.GetFiles(recordDirectory, "*.jsonl")
            .OrderBy(f => f, StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
    }
}

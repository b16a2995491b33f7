namespace StatProf.Analysis.Tests.Support;

/// <summary>Paths in the source tree, found from the test assembly's folder.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding <c>StatProf.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The speedscope app as its npm package ships it (installed by <c>.ci/run</c>: <c>npm ci</c> in the fixture folder).</summary>
    public static string SpeedscopeApp => Path.Combine(SpeedscopeFixture, "node_modules", "speedscope", "dist", "release");

    /// <summary>The script validating files against the speedscope package's file-format schema (with ajv).</summary>
    public static string SpeedscopeValidator => Path.Combine(SpeedscopeFixture, "validate.mjs");

    private static string SpeedscopeFixture => Path.Combine(Root, "tests", "StatProf.Analysis.Tests", "Formats", "Speedscope");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StatProf.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"StatProf.sln not found above {AppContext.BaseDirectory}.");
    }
}

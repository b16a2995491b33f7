namespace StatProf.AspNetCore.Tests.Live;

/// <summary>
/// The live endpoint tests run alone: one of them starves the process's thread pool on purpose,
/// and every test here opens EventPipe sessions on the test process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTestGroup
{
    public const string Name = "Live endpoint";
}

using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using StatProf.Sampler.Internal.Symbols;
using StatProf.Sampler.Records;
using StatProf.Sampler.Tests.Records;

namespace StatProf.Sampler.Tests.Internal.Symbols;

/// <summary>
/// Source lines in the in-process path: the slow-request logger of a real program built with a
/// portable PDB names the line of the known call inside the loop; without the PDB it keeps method
/// names and says so once.
/// </summary>
[Collection(RealSampling.Name)]
public sealed class SourceLinesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-lines-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void TheLoggedRequestsStackNamesTheLineOfTheCallInsideTheLoop()
    {
        List<JsonElement> records = LinesTarget.RunLogged(LinesTarget.OutputDirectory, Path.Combine(_directory, "records"));

        int callSite = LinesTarget.CallSiteLine;
        Assert.True(callSite > 0, "the call site is marked in Pricing.cs");
        List<JsonElement> stacks = records.Where(r => r.GetProperty("type").GetString() == "stack").ToList();
        List<JsonElement> priceAll = stacks
            .SelectMany(s => s.GetProperty("frames").EnumerateArray())
            .Where(f => f.GetProperty("name").GetString() == "Pricing.PriceAll(int32)")
            .ToList();
        Assert.NotEmpty(priceAll);

        // Most samples are inside PriceLine, called from the marked line: PriceAll's frame there is the call's line.
        Assert.Contains(priceAll, f => f.TryGetProperty("line", out JsonElement l) && l.GetInt32() == callSite);
        JsonElement inCall = priceAll.First(f => f.TryGetProperty("line", out JsonElement l) && l.GetInt32() == callSite);
        Assert.EndsWith("Pricing.cs", inCall.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Contains(stacks, s => s.GetProperty("traceback").GetString()!.Contains($"   at Pricing.PriceAll(int32) in {inCall.GetProperty("file").GetString()}:line {callSite}\n", StringComparison.Ordinal));
        Assert.All(stacks, s => Assert.Equal(JsonValueKind.Null, s.GetProperty("notice").ValueKind));
        Assert.All(records, r => RecordSchema.Records.AssertValid(r.GetRawText()));
    }

    [Fact]
    public void WithoutItsPdbTheProgramKeepsMethodNamesAndSaysSoOnce()
    {
        string copy = Path.Combine(_directory, "nopdb");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(LinesTarget.OutputDirectory))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        File.Delete(Path.Combine(copy, "LinesTarget.pdb"));

        List<JsonElement> records = LinesTarget.RunLogged(copy, Path.Combine(_directory, "records"));

        List<JsonElement> stacks = records.Where(r => r.GetProperty("type").GetString() == "stack").ToList();
        List<JsonElement> ours = stacks
            .SelectMany(s => s.GetProperty("frames").EnumerateArray())
            .Where(f => f.GetProperty("module").GetString() == "LinesTarget")
            .ToList();
        Assert.Contains(ours, f => f.GetProperty("name").GetString() == "Pricing.PriceAll(int32)");
        Assert.All(ours, f => Assert.False(f.TryGetProperty("line", out _), "no line without the PDB"));
        string[] notices = stacks.Where(s => s.GetProperty("notice").ValueKind == JsonValueKind.String).Select(s => s.GetProperty("notice").GetString()!).ToArray();
        string notice = Assert.Single(notices, n => n.Contains("LinesTarget", StringComparison.Ordinal));
        Assert.Contains("LinesTarget", notice, StringComparison.Ordinal);
        Assert.StartsWith("source lines unavailable for module", notice, StringComparison.Ordinal);
        Assert.Contains(records, r => r.GetProperty("type").GetString() == "end");
        Assert.All(records, r => RecordSchema.Records.AssertValid(r.GetRawText()));
    }

    [Fact]
    public void TheTracebackPrintsAFrameWithALineAsDotNetPrintsAnExceptionsFrames()
    {
        FrameRecord[] rootFirst = [new("App.Main()", "App"), new("Shop.PriceLine(int32)", "Shop", "/src/Orders/Pricing.cs", 42)];

        Assert.Equal("   at Shop.PriceLine(int32) in /src/Orders/Pricing.cs:line 42\n   at App.Main()", RecordJson.Traceback(rootFirst));
        string json = RecordJson.Serialize(new StackRecord(DateTime.UtcNow, 7, rootFirst, false, "source lines unavailable for module App"));
        RecordSchema.Records.AssertValid(json);
        Assert.Contains("\"file\":\"/src/Orders/Pricing.cs\",\"line\":42", json, StringComparison.Ordinal);
    }

    [Fact]
    public void APortablePdbGivesTheLineTheRuntimeItselfGivesForThisMethod()
    {
        // The runtime's own answer (StackFrame reads the same PDB through its own reader) is the reference.
        var frame = new StackFrame(0, needFileInfo: true);
        MethodBase method = MethodBase.GetCurrentMethod()!;
        using var lines = new SourceLines();

        SourceLocation? at = lines.Resolve(typeof(SourceLinesTests).Assembly.Location, method.MetadataToken, frame.GetILOffset());

        Assert.NotNull(at);
        Assert.Equal(frame.GetFileLineNumber(), at.Line);
        Assert.Equal(frame.GetFileName(), at.File);
        Assert.Equal(1, lines.ModulesOpened);
    }

    [Fact]
    public void AModulePathLowerCasedByTheTracerStillFindsItsPdb()
    {
        // TraceEvent's real-time TraceLog hands out some module paths lower-cased; Linux file names are case-sensitive.
        string copy = Path.Combine(_directory, "Bin", "Release");
        Directory.CreateDirectory(copy);
        string dll = Path.Combine(copy, "LinesTarget.dll");
        File.Copy(Path.Combine(LinesTarget.OutputDirectory, "LinesTarget.dll"), dll);
        File.Copy(Path.Combine(LinesTarget.OutputDirectory, "LinesTarget.pdb"), Path.Combine(copy, "LinesTarget.pdb"));
        string lowered = Path.Combine(_directory, "bin", "release", "linestarget.dll");
        using var lines = new SourceLines();

        Assert.Equal(dll, SourceLines.OnDisk(lowered));
        Assert.True(lines.HasSymbols(lowered));
        Assert.Equal(Path.Combine(_directory, "absent.dll"), SourceLines.OnDisk(Path.Combine(_directory, "absent.dll")));
        if (!OperatingSystem.IsWindows())
        {
            // Two files that differ only in case: no guess.
            File.Copy(dll, Path.Combine(copy, "LINESTARGET.dll"));
            Assert.Equal(lowered, SourceLines.OnDisk(lowered));
        }
    }

    [Fact]
    public void AModuleWithoutAPdbHasNoLinesAndIsNamedOnceInTheNotice()
    {
        string copy = Path.Combine(_directory, "copy");
        Directory.CreateDirectory(copy);
        string dll = Path.Combine(copy, "LinesTarget.dll");
        File.Copy(Path.Combine(LinesTarget.OutputDirectory, "LinesTarget.dll"), dll);
        using var lines = new SourceLines();

        Assert.Null(lines.Resolve(dll, 0x06000001, 0));
        Assert.Null(lines.Resolve(dll, 0x06000002, 4));

        IReadOnlyList<string> missing = lines.TakeNewModulesWithoutSymbols();
        Assert.Equal([dll], missing);
        Assert.Empty(lines.TakeNewModulesWithoutSymbols());
        Assert.Contains("module LinesTarget:", SourceLines.NoticeFor(missing), StringComparison.Ordinal);
        Assert.Null(SourceLines.NoticeFor([typeof(object).Assembly.Location]));
    }

    [Fact]
    public void ASymbolDirectoryIsSearchedWhenThePdbIsNotNextToTheAssembly()
    {
        string copy = Path.Combine(_directory, "bin");
        string symbols = Path.Combine(_directory, "symbols");
        Directory.CreateDirectory(copy);
        Directory.CreateDirectory(symbols);
        string dll = Path.Combine(copy, "LinesTarget.dll");
        File.Copy(Path.Combine(LinesTarget.OutputDirectory, "LinesTarget.dll"), dll);
        File.Copy(Path.Combine(LinesTarget.OutputDirectory, "LinesTarget.pdb"), Path.Combine(symbols, "LinesTarget.pdb"));

        using var without = new SourceLines();
        using var with = new SourceLines([symbols]);

        Assert.False(without.HasSymbols(dll));
        Assert.True(with.HasSymbols(dll));
    }

    [Fact]
    public void ACallerFrameIsLookedUpAtTheByteBeforeItsReturnAddress()
    {
        // A body at 0x1000: IL 0 at native 0, IL 5 (the call) at native 0x10, IL 9 (next statement) at 0x20.
        var maps = new NativeCodeMaps();
        maps.AddBody(0x1000, 0x40, [0x00, 0x10, 0x20, 0x30], [0, 5, 9, -3]);

        // The call instruction ends at 0x1020: the return address is the next statement's first byte.
        Assert.Equal(5, maps.ILOffset(0x1020, isReturnAddress: true));
        Assert.Equal(9, maps.ILOffset(0x1020, isReturnAddress: false));
        Assert.Equal(9, maps.ILOffset(0x1034, isReturnAddress: false)); // epilog: the statement before
        Assert.Equal(-1, maps.ILOffset(0x1040, isReturnAddress: false)); // past the body
        Assert.Equal(-1, maps.ILOffset(0x0fff, isReturnAddress: false));
    }
}

using System.Text.Json;

namespace StatProf.Cli.Tests.Dump;

/// <summary>
/// <c>statprof dump</c> on tests/Targets/PlainWebTarget, an ASP.NET Core app that does not embed
/// StatProf: the thread serving a request in flight shows its method and path, read from Kestrel's
/// objects among the thread's stack roots.
/// </summary>
[Collection(DumpRun.Collection)]
public sealed class PlainWebTargetDumpTests : IDisposable
{
    private readonly TargetProcess _target = TargetProcess.Start("PlainWebTarget");

    public void Dispose() => _target.Dispose();

    [Fact]
    public void TheThreadServingARequestInFlightShowsItsMethodAndPath()
    {
        Assert.StartsWith("listening http://127.0.0.1:", _target.FirstLine);
        string address = _target.FirstLine["listening ".Length..];
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(180) };
        Task<string> inFlight = client.GetStringAsync($"{address}/slow/orders-42?seconds=120"); // outlives the dumps (the target is killed after)

        // Until the handler sleeps (a dump taken earlier may find the thread still in Kestrel's
        // request parsing or in the JIT: serving the request already, not yet in the handler).
        JsonElement? serving = null;
        var deadline = DateTime.UtcNow.AddSeconds(60); // the cold first request, with every dump pausing the target: seconds under load
        while (serving is null && DateTime.UtcNow < deadline)
        {
            JsonElement dump = DumpRun.Json(_target.Id);
            serving = dump.GetProperty("threads").EnumerateArray()
                .Select(t => (JsonElement?)t)
                .FirstOrDefault(t => t!.Value.GetProperty("request").ValueKind == JsonValueKind.Object
                    && DumpRun.Frames(t.Value).Contains("System.Threading.Thread.Sleep"));
        }

        Assert.True(serving is not null, "a thread serving the request, sleeping in its handler, within 60 s");
        JsonElement request = serving.Value.GetProperty("request");
        Assert.Equal("GET", request.GetProperty("method").GetString());
        Assert.Equal("/slow/orders-42", request.GetProperty("path").GetString());
        Assert.Contains(DumpRun.Frames(serving.Value), f => f.StartsWith("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol.", StringComparison.Ordinal));
        Assert.Equal("waiting", serving.Value.GetProperty("state").GetString());
        Assert.False(inFlight.IsCompleted, "the request was still in flight");

        // Only that thread serves a request.
        JsonElement last = DumpRun.Json(_target.Id);
        Assert.Single(last.GetProperty("threads").EnumerateArray(), t => t.GetProperty("request").ValueKind == JsonValueKind.Object);
        Assert.Contains("1 serving an HTTP request", last.GetProperty("summary").GetString());
    }
}

using StatProf.Analysis;
using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Benchmarks.Analysis;

/// <summary>
/// Record sets built in memory (no file: a one-million-sample file is 5 GB) for the report
/// rendering suites, through the same internal types the reader fills. Deterministic: a fixed seed.
/// </summary>
/// <remarks>
/// A web service's slow requests: 1 000 000 samples in 28 500 requests of about 35 dumps (the
/// reading suites' shape), stacks of a shared 8-frame host prefix, one of 200 endpoints, a path of
/// 10–25 application frames down that endpoint's tree (branching three ways per level), and a leaf.
/// Leaves are drawn from a pool of <c>distinctFrames</c> IL-style names of about 110 characters;
/// stack popularity is skewed (a cube law: a few hot stacks, a long tail), as real profiles are.
/// About 70 % of samples run, 25 % wait, 5 % await.
/// </remarks>
internal static class SyntheticSets
{
    /// <summary>The fixed seed: the same set on every run.</summary>
    public const int Seed = 20261122;

    public static RecordSet Build(int samples, int distinctFrames, int distinctStacks)
    {
        var random = new Random(Seed);
        var frames = new FrameTable();
        var stacks = new StackTable();
        string[] host =
        [
            "System.Threading.ThreadPoolWorkQueue.Dispatch()",
            "System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart()",
            "System.Threading.ExecutionContext.RunInternal(class System.Threading.ExecutionContext,class System.Threading.ContextCallback,object)",
            "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol+<ProcessRequests>d__238`1.MoveNext()",
            "Microsoft.AspNetCore.HostFiltering.HostFilteringMiddleware.Invoke(class Microsoft.AspNetCore.Http.HttpContext)",
            "Microsoft.AspNetCore.Routing.EndpointMiddleware.Invoke(class Microsoft.AspNetCore.Http.HttpContext)",
            "StatProf.AspNetCore.StatProfMiddleware+<InvokeAsync>d__4.MoveNext()",
            "Microsoft.AspNetCore.Http.RequestDelegateFactory+<>c__DisplayClass102_2+<<HandleRequestBodyAndCompileRequestDelegateForJson>b__2>d.MoveNext()",
        ];
        int[] prefix = host.Select(name => frames.Intern(name)).ToArray();
        int[] endpoints = Enumerable.Range(0, 200).Select(e => frames.Intern($"Contoso.Shop.Api.Endpoints.Endpoint{e:D3}.Handle(class Contoso.Shop.Api.Requests.Request{e:D3},value class System.Threading.CancellationToken)")).ToArray();
        int[] pool = Enumerable.Range(0, distinctFrames).Select(i => frames.Intern(Name(i))).ToArray();

        // Distinct stacks; every pool frame is a leaf at least once when distinctStacks ≥ distinctFrames.
        var stackIds = new int[distinctStacks];
        var buffer = new List<int>(64);
        for (int s = 0; s < distinctStacks; s++)
        {
            buffer.Clear();
            buffer.AddRange(prefix);
            int endpoint = s % endpoints.Length;
            buffer.Add(endpoints[endpoint]);
            int depth = 10 + (s * 7 % 16);
            int branch = s / endpoints.Length;
            for (int level = 0; level < depth; level++)
            {
                int path = branch % 3;
                branch /= 3;
                buffer.Add(pool[(int)(((endpoint * 7919L) + (level * 104_729L) + (path * 15_485_863L)) % distinctFrames)]);
            }

            buffer.Add(pool[s % distinctFrames]);
            stackIds[s] = stacks.Intern(buffer.ToArray());
        }

        var requests = new List<Request>();
        DateTime origin = new(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);
        int written = 0, number = 0;
        while (written < samples)
        {
            int dumps = Math.Min(samples - written, 10 + random.Next(51));
            var request = new Request(4711, $"r{number}") { Name = $"GET /api/endpoint/{number % 200}?id={number}", Kind = "http", Outcome = "ok", Status = 200 };
            DateTime start = origin.AddMilliseconds(number * 37.0);
            var thread = new ThreadRef(1000 + (number % 48), 10 + (number % 48));
            int stack = Pick(random, distinctStacks);
            for (int dump = 1; dump <= dumps; dump++)
            {
                if (random.NextDouble() >= 0.4)
                {
                    stack = Pick(random, distinctStacks);
                }

                double u = random.NextDouble();
                DumpState state = u < 0.70 ? DumpState.Running : u < 0.95 ? DumpState.Waiting : DumpState.Awaiting;
                double elapsed = 1000 + ((dump - 1) * 200.0);
                request.AddSample(dump, stackIds[stack], state, start.AddMilliseconds(elapsed), elapsed, thread);
            }

            request.DurationMs = 1000 + (dumps * 200.0);
            request.EndedAt = start.AddMilliseconds(request.DurationMs.Value);
            request.MarkEnded();
            requests.Add(request);
            written += dumps;
            number++;
        }

        return new RecordSet(
            frames,
            stacks,
            requests,
            [new RecordSource("synthetic", 0, written, written, SkippedLines.None, HasHeader: true)],
            [new ProcessInfo(4711, "Contoso.Shop", ".NET 10.0", 1000, 200, 1)],
            written,
            0,
            0,
            []);
    }

    /// <summary>Skewed: stack k drawn with density ∝ k^(-2/3), a few hot stacks and a long tail.</summary>
    private static int Pick(Random random, int count) => (int)(count * Math.Pow(random.NextDouble(), 3));

    private static string Name(int i) =>
        $"Contoso.Shop.Module{i % 97:D2}.Service{i % 331:D3}.Component{i:D5}.Execute(class Contoso.Shop.Model.Item{i % 53:D2},int32,bool)";
}

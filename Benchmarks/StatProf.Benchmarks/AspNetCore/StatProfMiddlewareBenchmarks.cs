using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using StatProf.Benchmarks.Sampler.Monitoring;
using StatProf.Sampler;

namespace StatProf.Benchmarks.AspNetCore;

/// <summary>
/// What <c>UseStatProf()</c> adds to one HTTP request while nothing is slow (the idle cost of
/// embedding StatProf in a web service): a real ASP.NET Core pipeline, built by an
/// <see cref="ApplicationBuilder"/>, runs a request to an endpoint with and without the middleware
/// in front. The endpoint sets its status and awaits <see cref="Hops"/> times
/// <see cref="Task.Yield"/> (0: a handler that completes on the thread that began it, as the shop's
/// pages do; 2: a handler that resumes twice on the thread pool, as one that awaits I/O does).
/// </summary>
/// <remarks>
/// The request carries what a browser's does (a path, a query string, a User-Agent, an Accept and a
/// Cookie header), and its trace identifier is cleared before each run, as Kestrel gives each
/// request a new one. The benchmark thread's execution context carries an ordinary
/// <see cref="AsyncLocal{T}"/> value, as a real server's does (<c>Activity.Current</c> under
/// OpenTelemetry, the <c>HttpContext</c> accessor), so that the endpoint's hops switch contexts with
/// and without StatProf. Cost per request = <see cref="WithStatProf"/> − <see cref="WithoutStatProf"/>.
/// </remarks>
[MemoryDiagnoser]
public class StatProfMiddlewareBenchmarks
{
    private static readonly AsyncLocal<string?> Ambient = new();

    private ServiceProvider _services = null!;
    private RequestDelegate _plain = null!;
    private RequestDelegate _monitored = null!;
    private DefaultHttpContext _context = null!;
    private HttpRequestIdentifierFeature _identifier = null!;
    private string _directory = null!;

    /// <summary>Thread-pool hops of the endpoint.</summary>
    [Params(0, 2)]
    public int Hops { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"statprof-bench-middleware-{Environment.ProcessId}");
        _services = new ServiceCollection()
            .AddLogging()
            .AddStatProf(configure: options =>
            {
                options.Directory = _directory;
                options.Threshold = TimeSpan.FromMinutes(10); // see MonitoringBenchmarks.CreateIdleLogger
            })
            .BuildServiceProvider();
        _plain = Pipeline(statProf: false);
        _monitored = Pipeline(statProf: true);
        _context = new DefaultHttpContext();
        HttpRequest request = _context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1", 5080);
        request.Path = "/products";
        request.QueryString = new QueryString("?page=2&sort=price");
        request.Headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0";
        request.Headers.Accept = "text/html";
        request.Headers.Cookie = "session=0123456789abcdef";
        Ambient.Value = "ambient"; // stays in this thread's context for the runs that follow
        _identifier = new HttpRequestIdentifierFeature();
        _context.Features.Set(_identifier);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        MonitoringBenchmarks.DisposeAndCheckIdle(_services.GetRequiredService<LongRequestLogger>(), _directory);
        _services.Dispose();
    }

    /// <summary>The request through the pipeline without StatProf.</summary>
    [Benchmark(Baseline = true)]
    public Task WithoutStatProf()
    {
        _identifier.TraceIdentifier = null!; // Kestrel: a new identifier per request
        return _plain(_context);
    }

    /// <summary>The same request with <c>UseStatProf()</c> first in the pipeline.</summary>
    [Benchmark]
    public Task WithStatProf()
    {
        _identifier.TraceIdentifier = null!;
        return _monitored(_context);
    }

    private RequestDelegate Pipeline(bool statProf)
    {
        var app = new ApplicationBuilder(_services);
        if (statProf)
        {
            app.UseStatProf();
        }

        int hops = Hops;
        app.Run(async context =>
        {
            for (int i = 0; i < hops; i++)
            {
                await Task.Yield();
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        return app.Build();
    }
}

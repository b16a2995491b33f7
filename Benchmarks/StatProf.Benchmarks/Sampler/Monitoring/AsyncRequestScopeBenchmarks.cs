using BenchmarkDotNet.Attributes;
using StatProf.Sampler;

namespace StatProf.Benchmarks.Sampler.Monitoring;

/// <summary>
/// Beginning and ending an async monitored request (<see cref="LongRequestLogger.BeginAsyncRequest(string, string, string?, IReadOnlyList{KeyValuePair{string, string}}?)"/>
/// and its <c>Dispose</c>) inside an async method that completes without suspending, against the
/// same method without a scope: what every async request pays once, apart from its hops.
/// </summary>
/// <remarks>
/// The scope sets an <see cref="AsyncLocal{T}"/> that has a value-changed handler: beginning it
/// allocates an execution context, ending it another, and the method's return (which restores the
/// caller's context) calls the handler once more. The logger never samples (see
/// <see cref="MonitoringBenchmarks.CreateIdleLogger"/>).
/// </remarks>
[MemoryDiagnoser]
public class AsyncRequestScopeBenchmarks
{
    private string _directory = null!;
    private LongRequestLogger _logger = null!;

    [GlobalSetup]
    public void Setup() => _logger = MonitoringBenchmarks.CreateIdleLogger("async-scope", out _directory);

    [GlobalCleanup]
    public void Cleanup() => MonitoringBenchmarks.DisposeAndCheckIdle(_logger, _directory);

    /// <summary>An async method that completes synchronously, no scope.</summary>
    [Benchmark]
    public async Task AsyncMethodWithoutScope()
    {
        await Task.CompletedTask;
    }

    /// <summary>The same method with an async request scope around its body.</summary>
    [Benchmark]
    public async Task AsyncMethodWithScope()
    {
        using (_logger.BeginAsyncRequest("GET /x", "http", "id"))
        {
            await Task.CompletedTask;
        }
    }
}

/// <summary>
/// The cost of following an async request across threads: an async method that awaits
/// <see cref="Hops"/> times <see cref="Task.Yield"/>, with and without an async request scope around
/// it. Every <c>await Task.Yield()</c> resumes on a thread-pool thread: the pool thread takes the
/// request's execution context (the handler enters the thread for the request) and, once the
/// continuation has queued the next one, goes back to the default context (the handler exits it).
/// </summary>
/// <remarks>
/// Per hop ≈ (<see cref="WithScope"/> − <see cref="WithoutScope"/> − the begin/end cost of
/// <see cref="AsyncRequestScopeBenchmarks"/>) / <see cref="Hops"/>. A thread-pool hop costs
/// microseconds and varies on a shared machine; <see cref="ExecutionContextHopBenchmarks"/> measures
/// the same two handler calls without the pool.
/// </remarks>
[MemoryDiagnoser]
public class AsyncHopBenchmarks
{
    private string _directory = null!;
    private LongRequestLogger _logger = null!;

    /// <summary>Awaits that resume on another thread-pool work item.</summary>
    [Params(16)]
    public int Hops { get; set; }

    [GlobalSetup]
    public void Setup() => _logger = MonitoringBenchmarks.CreateIdleLogger("async-hops", out _directory);

    [GlobalCleanup]
    public void Cleanup() => MonitoringBenchmarks.DisposeAndCheckIdle(_logger, _directory);

    /// <summary><see cref="Hops"/> thread-pool hops, no scope.</summary>
    [Benchmark]
    public async Task WithoutScope()
    {
        for (int i = 0; i < Hops; i++)
        {
            await Task.Yield();
        }
    }

    /// <summary><see cref="Hops"/> thread-pool hops inside an async request scope.</summary>
    [Benchmark]
    public async Task WithScope()
    {
        using (_logger.BeginAsyncRequest("GET /x", "http", "id"))
        {
            for (int i = 0; i < Hops; i++)
            {
                await Task.Yield();
            }
        }
    }
}

/// <summary>
/// One hop of an async request without the thread pool's noise: <see cref="ExecutionContext.Run"/>
/// switches the thread to a captured context and back, as a pool thread does around a continuation,
/// so the request scope's handler runs twice (enter, exit). Per hop = <see cref="HopWithScope"/> −
/// <see cref="HopWithoutScope"/>.
/// </summary>
/// <remarks>
/// Both contexts carry one ordinary <see cref="AsyncLocal{T}"/> value, as a real request's does
/// (<c>Activity.Current</c>, the <c>HttpContext</c> accessor), so the baseline switches contexts
/// too; the request's context also carries the scope's value. The contexts are captured on other
/// threads, so the benchmark thread's own context stays the default one.
/// </remarks>
[MemoryDiagnoser]
public class ExecutionContextHopBenchmarks
{
    private static readonly AsyncLocal<string?> Ambient = new();
    private static readonly ContextCallback Nothing = _ => { };

    private string _directory = null!;
    private LongRequestLogger _logger = null!;
    private ExecutionContext _plain = null!;
    private ExecutionContext _request = null!;
    private AsyncRequestScope _scope;

    [GlobalSetup]
    public void Setup()
    {
        _logger = MonitoringBenchmarks.CreateIdleLogger("ec-hops", out _directory);
        _plain = CaptureOnAnotherThread(() => Ambient.Value = "ambient");
        _request = CaptureOnAnotherThread(() =>
        {
            Ambient.Value = "ambient";
            _scope = _logger.BeginAsyncRequest("GET /x", "http", "id");
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        MonitoringBenchmarks.DisposeAndCheckIdle(_logger, _directory);
    }

    /// <summary>Into a context with an ordinary async-local value, and back.</summary>
    [Benchmark]
    public void HopWithoutScope() => ExecutionContext.Run(_plain, Nothing, null);

    /// <summary>Into a request's context, and back: the handler enters and exits the thread.</summary>
    [Benchmark]
    public void HopWithScope() => ExecutionContext.Run(_request, Nothing, null);

    private static ExecutionContext CaptureOnAnotherThread(Action fill)
    {
        ExecutionContext? captured = null;
        var thread = new Thread(() =>
        {
            fill();
            captured = ExecutionContext.Capture();
        });
        thread.Start();
        thread.Join();
        return captured ?? throw new InvalidOperationException("No execution context was captured.");
    }
}

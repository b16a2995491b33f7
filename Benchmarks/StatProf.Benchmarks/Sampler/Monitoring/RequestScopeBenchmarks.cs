using BenchmarkDotNet.Attributes;
using StatProf.Sampler;

namespace StatProf.Benchmarks.Sampler.Monitoring;

/// <summary>
/// Entering and ending a synchronous monitored request,
/// <c>using (logger.BeginRequest("GET /x", "http", "id")) { }</c>, on a logger whose threshold no
/// request reaches: the cost every request pays while nothing is slow. Target: enter + exit ≤ 50 ns
/// and 0 B.
/// </summary>
/// <remarks>
/// <para><see cref="EmptyBody"/> is the harness's floor (a call that does nothing), and
/// <see cref="MonitoredThreadsEnterExit"/> the bare thread filter underneath a scope
/// (<see cref="MonitoredThreads.EnterCurrentThread()"/> and its <c>Dispose</c>), so that the
/// request bookkeeping on top of it shows as the difference.</para>
/// <para>The logger runs as in production (its watchdog thread wakes every 20 ms) but never starts a
/// sampling session: <see cref="Cleanup"/> checks that, so a figure never includes one.</para>
/// </remarks>
[MemoryDiagnoser]
public class RequestScopeBenchmarks
{
    private string _directory = null!;
    private LongRequestLogger _logger = null!;
    private MonitoredThreads _threads = null!;

    [GlobalSetup]
    public void Setup()
    {
        _logger = MonitoringBenchmarks.CreateIdleLogger("scope", out _directory);
        _threads = _logger.Sampler.MonitoredThreads;
    }

    [GlobalCleanup]
    public void Cleanup() => MonitoringBenchmarks.DisposeAndCheckIdle(_logger, _directory);

    /// <summary>The harness's floor: a call with an empty body.</summary>
    [Benchmark]
    public void EmptyBody()
    {
    }

    /// <summary>Begins and ends a synchronous request (what a monitored call pays).</summary>
    [Benchmark]
    public void SyncScope()
    {
        using (_logger.BeginRequest("GET /x", "http", "id"))
        {
        }
    }

    /// <summary>Marks the thread monitored and unmarks it: the thread filter alone, no request.</summary>
    [Benchmark]
    public void MonitoredThreadsEnterExit()
    {
        using (_threads.EnterCurrentThread())
        {
        }
    }
}

using System.Diagnostics;

namespace StatProf.Sampler.Monitoring;

/// <summary>
/// One running monitored request: what the scope said about it, written by the thread that begins
/// it and read by the logger's watchdog. Reused from a pool: <see cref="Id"/> is written last on
/// begin and cleared first on end, so a reader that sees the same non-zero id before and after
/// reading the other fields has read one request's consistent values.
/// </summary>
internal sealed class RequestState
{
    private long _id;

    /// <summary>Unique for the logger's lifetime; 0 while the state is free.</summary>
    public long Id => Volatile.Read(ref _id);

    public string? ExternalId { get; private set; }

    public string Kind { get; private set; } = string.Empty;

    public RequestName Name { get; private set; }

    public IReadOnlyList<KeyValuePair<string, string>>? Tags { get; private set; }

    /// <summary>Reads more of the request's information from <see cref="DetailsSource"/> when it is needed; null when the scope gave it all.</summary>
    public RequestDetails? Details { get; private set; }

    /// <summary>The host's object for the request, read by <see cref="Details"/>.</summary>
    public object? DetailsSource { get; private set; }

    public ActivityTraceId TraceId { get; private set; }

    /// <summary>Begin time on the <see cref="Stopwatch.GetTimestamp"/> clock.</summary>
    public long Start { get; private set; }

    /// <summary>Begin time, UTC ticks (derived from <see cref="Start"/>: the hot path reads no wall clock).</summary>
    public long StartUtcTicks => StatProf.Sampler.Internal.WallClock.ToUtcTicks(Start);

    /// <summary>True for a scope that flows with the execution context (async).</summary>
    public bool Async { get; private set; }

    /// <summary>OS thread running the request now, 0 when it awaits on no thread (async only).</summary>
    public int CurrentOsThread;

    /// <summary>Status code the host set (HTTP), 0 when none.</summary>
    public int Status;

    /// <summary>Type of the exception that escaped, if any.</summary>
    public string? Error;

    /// <summary>True when the request was cancelled (e.g. the client went away).</summary>
    public bool Cancelled;

    /// <summary>True while the state is in use (owned by a scope).</summary>
    public bool InUse;

    /// <summary>
    /// The thread whose synchronous fast path keeps this state between requests, if any: once that
    /// thread has ended, the state goes back to the pool (<see cref="RequestRegistry.ReclaimEndedThreads"/>).
    /// </summary>
    public StatProf.Sampler.Internal.ThreadSlot? Owner;

    /// <summary>
    /// Set by the watchdog once the request has run a while: its end instant is then read from the
    /// precise clock (a synchronous request that ends before is spared that clock read).
    /// </summary>
    public bool NeedsEndTime;

    /// <summary>The last stack the logger sampled for the request (slow requests only), -1 when none.</summary>
    public int LastStackId = -1;

    /// <summary>True when the thread was waiting (not running managed code) at <see cref="LastStackId"/>.</summary>
    public bool LastWaiting;

    public void Begin(long id, string kind, RequestName name, string? externalId, IReadOnlyList<KeyValuePair<string, string>>? tags, RequestDetails? details, object? detailsSource, long start, bool isAsync)
    {
        InUse = true;
        ExternalId = externalId;
        Kind = kind;
        Name = name;
        Tags = tags;
        Details = details;
        DetailsSource = detailsSource;
        TraceId = Activity.Current is { } activity ? activity.TraceId : default;
        Start = start;
        Async = isAsync;
        Status = 0;
        Error = null;
        Cancelled = false;
        CurrentOsThread = 0;
        NeedsEndTime = false;
        LastStackId = -1;
        LastWaiting = false;
        Volatile.Write(ref _id, id);
    }

    /// <summary>Marks the state free; the caller then returns it to its pool.</summary>
    public void End()
    {
        Volatile.Write(ref _id, 0);
        ExternalId = null;
        Tags = null;
        Name = default;
        Details = null;
        DetailsSource = null;
        InUse = false;
    }
}

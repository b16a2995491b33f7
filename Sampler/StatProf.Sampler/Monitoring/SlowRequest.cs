using StatProf.Sampler.Records;

namespace StatProf.Sampler.Monitoring;

/// <summary>A request past (or about to pass) the threshold, as the logger thread follows it.</summary>
internal sealed class SlowRequest
{
    public SlowRequest(long id, RequestState state, RequestInfo info, long start, long startUtcTicks, long firstDumpAt)
    {
        Id = id;
        State = state;
        Info = info;
        Start = start;
        StartUtcTicks = startUtcTicks;
        NextDumpAt = firstDumpAt;
    }

    /// <summary>The registry's id (samples carry it).</summary>
    public long Id { get; }

    /// <summary>The registry's state while the request runs (its id changes once the request ended).</summary>
    public RequestState State { get; }

    public RequestInfo Info { get; }

    /// <summary>True for a request that flows with the execution context: it can be on no thread (awaiting).</summary>
    public bool IsAsync { get; init; }

    /// <summary>True once <see cref="LongRequestLoggerOptions.MaxDumpsPerRequest"/> dumps were written: no more dumps.</summary>
    public bool Exhausted { get; set; }

    /// <summary>Begin, Stopwatch clock.</summary>
    public long Start { get; }

    public long StartUtcTicks { get; }

    /// <summary>The instant (Stopwatch clock) of the next dump.</summary>
    public long NextDumpAt { get; set; }

    /// <summary>True once it ran past the threshold (counted as slow).</summary>
    public bool Counted { get; set; }

    public int Dumps { get; set; }

    /// <summary>Number of the last dump written in full (a later identical stack refers to it).</summary>
    public int LastFullDump { get; set; }

    /// <summary>Stack of the last dump, -1 before the first.</summary>
    public int LastDumpStackId { get; set; } = -1;

    /// <summary>Stack of the latest sample of the request, -1 before the first.</summary>
    public int LastStackId { get; set; } = -1;

    public ThreadRef LastThread { get; set; }

    /// <summary>Set when the request's end is known; the end record waits for its last samples.</summary>
    public EndNotice? End { get; set; }
}

/// <summary>What the ending thread reports about a request that ran long.</summary>
/// <param name="Id">The registry's id.</param>
/// <param name="Start">Begin, Stopwatch clock.</param>
/// <param name="End">End, Stopwatch clock.</param>
/// <param name="StartUtcTicks">Begin, UTC ticks.</param>
/// <param name="Info">The request's information, redacted.</param>
/// <param name="Status">Status code, 0 when none.</param>
/// <param name="Error">Exception type that escaped, if any.</param>
/// <param name="Cancelled">True when cancelled.</param>
internal sealed record EndNotice(long Id, long Start, long End, long StartUtcTicks, RequestInfo Info, int Status, string? Error, bool Cancelled);

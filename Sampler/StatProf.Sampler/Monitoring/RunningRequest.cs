namespace StatProf.Sampler;

/// <summary>A request running now, as <see cref="LongRequestLogger.GetRunningRequests"/> sees it.</summary>
/// <param name="Id">The host's id for the request, else StatProf's number.</param>
/// <param name="Kind">What it is: <c>http</c>, <c>job</c>, …</param>
/// <param name="Name">What it asks for, redacted.</param>
/// <param name="Elapsed">How long it has run so far.</param>
/// <param name="OsThreadId">The OS thread running it now; 0 when an async request awaits on no thread.</param>
/// <param name="LastStack">The last stack sampled for it, root first; null before it was sampled.</param>
/// <param name="LastWaiting">Whether its thread was waiting at that sample; null when never sampled.</param>
public sealed record RunningRequest(
    string Id,
    string Kind,
    string Name,
    TimeSpan Elapsed,
    int OsThreadId,
    IReadOnlyList<StackFrameInfo>? LastStack,
    bool? LastWaiting);

namespace StatProf.Sampler;

/// <summary>What the logger says when a slow request ends (for a log line pointing at its records).</summary>
/// <param name="Id">The request id, as in its records.</param>
/// <param name="Kind">The request kind.</param>
/// <param name="Name">The request name, redacted.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="Dumps">How many stack dumps were recorded for it.</param>
/// <param name="Outcome"><c>ok</c>, <c>error</c> or <c>cancelled</c>.</param>
/// <param name="Status">Its status code, when the host set one.</param>
/// <param name="RecordFile">The record file that holds its end record (a file pattern when the writer has not opened its file yet).</param>
public sealed record SlowRequestSummary(
    string Id,
    string Kind,
    string Name,
    TimeSpan Duration,
    int Dumps,
    string Outcome,
    int? Status,
    string? RecordFile);

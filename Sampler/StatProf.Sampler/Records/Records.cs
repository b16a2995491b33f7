namespace StatProf.Sampler.Records;

/// <summary>
/// One line of a record file (JSON lines, append-only, one self-contained object a line with a
/// <c>type</c>). The format is documented in <c>docs/record-format.md</c> with a JSON Schema.
/// </summary>
/// <param name="Time">When the record was made, UTC.</param>
internal abstract record Record(DateTime Time);

/// <summary>The request a record is about, as the monitor scope described it (already redacted).</summary>
/// <param name="Id">The request id (the host's, e.g. ASP.NET Core's TraceIdentifier, or StatProf's own number).</param>
/// <param name="Kind">What it is: <c>http</c>, <c>job</c>, <c>message</c>, … (free text).</param>
/// <param name="Name">What the request asked for, e.g. <c>GET /orders/42?token=REDACTED</c>.</param>
/// <param name="StartedAt">When it started, UTC.</param>
/// <param name="TraceId">The W3C trace id of <c>Activity.Current</c> when the request started, if any.</param>
/// <param name="Tags">User-supplied information (headers, user, tenant, …), already redacted.</param>
internal sealed record RequestInfo(
    string Id,
    string Kind,
    string Name,
    DateTime StartedAt,
    string? TraceId,
    IReadOnlyList<KeyValuePair<string, string>> Tags);

/// <summary>A thread, by its OS id and managed id (0 when unknown).</summary>
internal readonly record struct ThreadRef(int Os, int Managed);

/// <summary>First line of every record file.</summary>
/// <param name="Time">When the file was opened.</param>
/// <param name="ProcessId">The process that writes the file.</param>
/// <param name="ProcessName">Its name.</param>
/// <param name="Runtime">The runtime description, e.g. <c>.NET 10.0.12</c>.</param>
/// <param name="ThresholdMs">The slow-request threshold T, in ms.</param>
/// <param name="IntervalMs">The dump interval I, in ms.</param>
/// <param name="Continuation">True when this file continues a rotated one (same process).</param>
internal sealed record HeaderRecord(
    DateTime Time,
    int ProcessId,
    string ProcessName,
    string Runtime,
    double ThresholdMs,
    double IntervalMs,
    bool Continuation) : Record(Time)
{
    /// <summary>The format's name in the header's <c>format</c> field.</summary>
    public const string FormatName = "statprof-records";

    /// <summary>The format's version in the header's <c>version</c> field.</summary>
    public const int FormatVersion = 2;
}

/// <summary>What a request's thread was doing at a dump.</summary>
internal enum DumpState
{
    /// <summary>On a thread, running managed code.</summary>
    Running,

    /// <summary>On a thread, outside managed code: blocked, sleeping, waiting, in native code.</summary>
    Waiting,

    /// <summary>On no thread: an async request awaiting something. The stack is the last one it had on a thread.</summary>
    Awaiting,
}

/// <summary>One frame of a dumped stack.</summary>
/// <param name="Name"><c>Namespace.Type.Method(args)</c>.</param>
/// <param name="Module">The module (assembly) name, or empty.</param>
/// <param name="File">The source file of the frame's line (as its PDB names it), or null when unknown.</param>
/// <param name="Line">The 1-based line (for a caller frame: of its call), or 0 when unknown.</param>
internal readonly record struct FrameRecord(string Name, string Module, string? File = null, int Line = 0);

/// <summary>A slow request's stack at one dump (every interval I once it passed T).</summary>
/// <param name="Time">The instant of the tick the stack was sampled at (for <c>awaiting</c>, the dump's instant).</param>
/// <param name="Request">The request.</param>
/// <param name="ElapsedMs">Time since the request started, at <paramref name="Time"/>.</param>
/// <param name="Dump">1 for the request's first dump, then 2, 3, …</param>
/// <param name="Thread">The thread that ran the request then (for <c>awaiting</c>, the last one).</param>
/// <param name="State">Running, waiting or awaiting.</param>
/// <param name="Frames">The stack, root first.</param>
/// <param name="Truncated">True when the stack was cut at the sampler's maximum depth.</param>
/// <remarks>
/// The line written refers to its stack by <see cref="StackId"/>: the writer gives each distinct
/// stack an id and writes it once per file, as a <see cref="StackRecord"/> line before the first
/// dump of that file that refers to it.
/// </remarks>
internal sealed record DumpRecord(
    DateTime Time,
    RequestInfo Request,
    double ElapsedMs,
    int Dump,
    ThreadRef Thread,
    DumpState State,
    IReadOnlyList<FrameRecord> Frames,
    bool Truncated) : Record(Time)
{
    /// <summary>The id of its stack's <see cref="StackRecord"/>; set by the writer (0 until then).</summary>
    public long StackId { get; init; }

    /// <summary>A notice carried by its stack line (source lines unavailable for a module), or null.</summary>
    public string? Notice { get; init; }
}

/// <summary>A distinct stack, written once per file before the first dump that refers to it.</summary>
/// <param name="Time">The time of the dump that first needed it in this file.</param>
/// <param name="Id">Its id, unique within the writing process (the dumps' <c>stack</c>).</param>
/// <param name="Frames">The stack, root first.</param>
/// <param name="Truncated">True when the stack was cut at the sampler's maximum depth.</param>
/// <param name="Notice">Said once by the writer, on the first stack that needs it: source lines unavailable for a module.</param>
internal sealed record StackRecord(
    DateTime Time,
    long Id,
    IReadOnlyList<FrameRecord> Frames,
    bool Truncated,
    string? Notice = null) : Record(Time);

/// <summary>A dump whose stack is the same as the request's previous dump: written short.</summary>
/// <param name="Time">The instant of the tick.</param>
/// <param name="RequestId">The request's id.</param>
/// <param name="ElapsedMs">Time since the request started.</param>
/// <param name="Dump">This dump's number.</param>
/// <param name="Thread">The thread.</param>
/// <param name="State">Running, waiting or awaiting.</param>
/// <param name="SameAs">The number of the dump whose stack this repeats.</param>
internal sealed record SameRecord(
    DateTime Time,
    string RequestId,
    double ElapsedMs,
    int Dump,
    ThreadRef Thread,
    DumpState State,
    int SameAs) : Record(Time);

/// <summary>The end of a slow request: one summary record.</summary>
/// <param name="Time">When it ended.</param>
/// <param name="Request">The request.</param>
/// <param name="DurationMs">Its total duration.</param>
/// <param name="Dumps">How many dumps were recorded.</param>
/// <param name="Outcome"><c>ok</c>, <c>error</c> (an exception escaped, see <paramref name="Error"/>) or <c>cancelled</c>.</param>
/// <param name="Status">The status code (HTTP) when the host set one.</param>
/// <param name="Error">The exception type that escaped, if any.</param>
internal sealed record EndRecord(
    DateTime Time,
    RequestInfo Request,
    double DurationMs,
    int Dumps,
    string Outcome,
    int? Status,
    string? Error) : Record(Time);

/// <summary>The logger's own counters, written when a file is closed (rotation or shutdown).</summary>
/// <param name="Time">When.</param>
/// <param name="Sampler">The sampler's counters.</param>
/// <param name="RecordsWritten">Records written so far (all files).</param>
/// <param name="RecordsDropped">Records dropped because the writer's queue was full or the disk refused them.</param>
/// <param name="SlowRequests">Requests that passed the threshold.</param>
/// <param name="Activations">Times a sampling session was started for slow requests.</param>
internal sealed record StatsRecord(
    DateTime Time,
    SamplerCounters Sampler,
    long RecordsWritten,
    long RecordsDropped,
    long SlowRequests,
    long Activations) : Record(Time);

using System.Runtime.InteropServices;
using StatProf.Analysis.Internal.Aggregation;
using StatProf.Analysis.Internal.Reading;

namespace StatProf.Analysis;

/// <summary>
/// A slow request read from record files: what it was, how it ended, and (internally) the interned
/// stacks of its dumps with their counts and the transitions between consecutive dumps. Keyed by
/// (<see cref="ProcessId"/>, <see cref="Id"/>). Read-only once its <see cref="RecordSet"/> is complete.
/// </summary>
public sealed class Request
{
    private static readonly IReadOnlyDictionary<string, string> NoTags =
        new Dictionary<string, string>(0, StringComparer.OrdinalIgnoreCase);

    private ThreadRef[] _threads = [];
    private int _threadCount;
    private long _running;
    private long _waiting;
    private long _awaiting;

    internal Request(int processId, string id)
    {
        ProcessId = processId;
        Id = id;
    }

    /// <summary>The process that served the request (its header's pid; 0 when the file had no header).</summary>
    public int ProcessId { get; }

    /// <summary>The request id, unique within the process.</summary>
    public string Id { get; }

    /// <summary>What it is: <c>http</c>, <c>job</c>, <c>message</c>, … (empty when not recorded).</summary>
    public string Kind { get; internal set; } = string.Empty;

    /// <summary>What it asked for, e.g. <c>GET /orders/42?token=REDACTED</c> (empty when not recorded).</summary>
    public string Name { get; internal set; } = string.Empty;

    /// <summary>When it started, UTC, when recorded.</summary>
    public DateTime? StartedAt { get; internal set; }

    /// <summary>Its W3C trace id, when it had one.</summary>
    public string? TraceId { get; internal set; }

    /// <summary>Its tags (already redacted by the writer), keys compared ignoring case.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; internal set; } = NoTags;

    /// <summary>Samples read for it: <c>dump</c> and <c>same</c> records.</summary>
    public int Samples { get; private set; }

    /// <summary>Its samples by state.</summary>
    public StateCounts States => new(_running, _waiting, _awaiting);

    /// <summary>When its first sample was taken, UTC (<see cref="DateTime.MinValue"/> without samples).</summary>
    public DateTime FirstSampleAt { get; private set; }

    /// <summary>When its last sample was taken, UTC (<see cref="DateTime.MinValue"/> without samples).</summary>
    public DateTime LastSampleAt { get; private set; }

    /// <summary>Elapsed time at its first sample, in ms.</summary>
    public double FirstElapsedMs { get; private set; }

    /// <summary>Elapsed time at its last sample, in ms.</summary>
    public double LastElapsedMs { get; private set; }

    /// <summary>Whether its <c>end</c> record was read.</summary>
    public bool Ended { get; internal set; }

    /// <summary>Its total duration from the <c>end</c> record, in ms.</summary>
    public double? DurationMs { get; internal set; }

    /// <summary>
    /// Its duration, or for a request without an <c>end</c> record (still running when the file was
    /// closed, or the process crashed) the elapsed time at its last sample.
    /// </summary>
    public double EffectiveDurationMs => DurationMs ?? LastElapsedMs;

    /// <summary><c>ok</c>, <c>error</c>, <c>cancelled</c> from the end record, or <c>unfinished</c> without one.</summary>
    public string Outcome { get; internal set; } = "unfinished";

    /// <summary>The status code the host set (HTTP), if any.</summary>
    public int? Status { get; internal set; }

    /// <summary>The exception type that escaped, if any.</summary>
    public string? Error { get; internal set; }

    /// <summary>When it ended, UTC, from the end record.</summary>
    public DateTime? EndedAt { get; internal set; }

    /// <summary>Start of the request's time span: <see cref="StartedAt"/>, else derived from its first sample.</summary>
    public DateTime? Start => StartedAt ?? (Samples > 0 ? FirstSampleAt.AddMilliseconds(-FirstElapsedMs) : EndedAt?.AddMilliseconds(-(DurationMs ?? 0)));

    /// <summary>End of the request's time span: <see cref="EndedAt"/>, else its last sample.</summary>
    public DateTime? End => EndedAt ?? (Samples > 0 ? LastSampleAt : null);

    /// <summary>The threads it ran on at its samples, in order of first appearance (at most 32 kept).</summary>
    public IReadOnlyList<ThreadRef> Threads => new ArraySegment<ThreadRef>(_threads, 0, _threadCount);

    /// <summary>The file it was first read from.</summary>
    public string Source { get; internal set; } = string.Empty;

    /// <summary>Interned stack id → samples of this request with that stack, by state.</summary>
    internal Dictionary<int, StateTally> StackCounts { get; } = [];

    /// <summary>(previous stack id, next stack id) → consecutive dump pairs and the time between them.</summary>
    internal Dictionary<long, Transition> Transitions { get; } = [];

    /// <summary>Pairs of consecutive dumps whose interval was not positive (clock trouble): not credited.</summary>
    internal int BadIntervals { get; private set; }

    /// <summary>Dump number → stack id, to resolve <c>same</c> records; dropped at the request's end.</summary>
    internal DumpRuns? DumpStacks { get; private set; } = new();

    /// <summary>The number of the last dump read, 0 before any.</summary>
    internal int LastDumpNumber { get; private set; }

    internal int LastStackId { get; private set; } = -1;

    /// <summary>
    /// Adds one sample (a <c>dump</c> or <c>same</c> record) and, when it is not the first, the
    /// transition from the previous one with the time between them.
    /// </summary>
    internal void AddSample(int dumpNumber, int stackId, DumpState state, DateTime time, double elapsedMs, ThreadRef thread)
    {
        ref StateTally tally = ref CollectionsMarshal.GetValueRefOrAddDefault(StackCounts, stackId, out _);
        tally.Add(state);
        switch (state)
        {
            case DumpState.Running: _running++; break;
            case DumpState.Waiting: _waiting++; break;
            default: _awaiting++; break;
        }

        if (Samples == 0)
        {
            FirstSampleAt = time;
            FirstElapsedMs = elapsedMs;
        }
        else
        {
            double intervalMs = elapsedMs - LastElapsedMs;
            if (!(intervalMs > 0) || double.IsInfinity(intervalMs))
            {
                intervalMs = (time - LastSampleAt).TotalMilliseconds;
            }

            if (intervalMs > 0 && !double.IsInfinity(intervalMs))
            {
                long key = ((long)LastStackId << 32) | (uint)stackId;
                ref Transition transition = ref CollectionsMarshal.GetValueRefOrAddDefault(Transitions, key, out _);
                transition.Count++;
                transition.Seconds += intervalMs / 1000;
            }
            else
            {
                BadIntervals++;
            }
        }

        Samples++;
        LastSampleAt = time;
        LastElapsedMs = elapsedMs;
        LastDumpNumber = dumpNumber;
        LastStackId = stackId;
        DumpStacks?.Add(dumpNumber, stackId);

        AddThread(thread);
    }

    /// <summary>
    /// Adds samples that carry no time (imported folded stacks): counted by stack and state, with no
    /// transition, so the hot/cold boundary credits nothing for them.
    /// </summary>
    internal void AddUntimedSamples(int stackId, DumpState state, int count)
    {
        ref StateTally tally = ref CollectionsMarshal.GetValueRefOrAddDefault(StackCounts, stackId, out _);
        switch (state)
        {
            case DumpState.Running: tally.Running += count; _running += count; break;
            case DumpState.Waiting: tally.Waiting += count; _waiting += count; break;
            default: tally.Awaiting += count; _awaiting += count; break;
        }

        Samples += count;
    }

    /// <summary>Marks the request ended and releases what only later dumps would need.</summary>
    internal void MarkEnded()
    {
        Ended = true;
        DumpStacks = null;
    }

    /// <summary>Releases per-dump state at the end of reading (requests left unfinished).</summary>
    internal void Seal() => DumpStacks = null;

    private void AddThread(ThreadRef thread)
    {
        if (thread == default)
        {
            return;
        }

        for (int i = 0; i < _threadCount; i++)
        {
            if (_threads[i] == thread)
            {
                return;
            }
        }

        if (_threadCount == 32)
        {
            return;
        }

        if (_threadCount == _threads.Length)
        {
            Array.Resize(ref _threads, Math.Max(2, _threadCount * 2));
        }

        _threads[_threadCount++] = thread;
    }
}

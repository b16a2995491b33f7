namespace StatProf.Analysis.Internal.Aggregation;

/// <summary>
/// Stacks interned as sequences of frame ids, root first: one id per distinct stack, so memory is
/// bounded by distinct stacks, never by samples (async-profiler's <c>CallTraceStorage</c> shape).
/// </summary>
internal sealed class StackTable
{
    private readonly SpanInterner<int> _stacks = new();

    /// <summary>Distinct stacks.</summary>
    public int Count => _stacks.Count;

    /// <summary>Returns the stack's id, interning it when new.</summary>
    public int Intern(ReadOnlySpan<int> framesRootFirst) => _stacks.Intern(framesRootFirst);

    /// <summary>The frames of a stack, root first. Valid until the next <see cref="Intern"/>.</summary>
    public ReadOnlySpan<int> Get(int id) => _stacks.Get(id);
}

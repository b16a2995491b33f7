namespace StatProf.Analysis;

/// <summary>What an <see cref="IgnoreRule"/> does to the frames it matches.</summary>
public enum FrameAction
{
    /// <summary>Keep the frame (exempts it from later rules, e.g. from a default one).</summary>
    Keep,

    /// <summary>Remove the frame from the stack; its callees attach to its caller. For plumbing
    /// (execution context, async builders, thread pool dispatch) that would otherwise sit between a
    /// method and what it calls, and take the boundary's credit.</summary>
    Drop,

    /// <summary>Keep the frame as a leaf and remove everything it calls: time in its callees becomes
    /// its self time. For libraries whose internals are not yours to optimize (<c>fold:System.Linq.*</c>).</summary>
    Fold,
}

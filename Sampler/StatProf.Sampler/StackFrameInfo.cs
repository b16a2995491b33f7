namespace StatProf.Sampler;

/// <summary>An interned frame: a method, identified by its module and full name, and where in it the thread was.</summary>
/// <param name="Id">The frame id in the <see cref="StackTable"/>.</param>
/// <param name="Name">
/// <c>Namespace.Type.Method(ArgTypes)</c> as the runtime names it; <c>[native code]</c> when the
/// address is in no managed method known to the session; <c>[truncated]</c> and
/// <c>[stack table full]</c> for the sampler's own markers.
/// </param>
/// <param name="Module">The module (assembly) name, or empty when unknown.</param>
public sealed record StackFrameInfo(int Id, string Name, string Module)
{
    /// <summary>The module's file path, when the runtime reported it. Default: null.</summary>
    public string? ModulePath { get; init; }

    /// <summary>The method's metadata token (0x06xxxxxx), or 0 when unknown. Default: 0.</summary>
    public int MethodToken { get; init; }

    /// <summary>
    /// The IL offset of the instruction the thread was at (for a caller frame: of its call), or -1
    /// when the runtime's IL-to-native map was not available. Two frames of the same method at
    /// different offsets are distinct frames. Default: -1.
    /// </summary>
    public int ILOffset { get; init; } = -1;
}

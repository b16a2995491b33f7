namespace StatProf.Sampler;

/// <summary>An interned frame: a method, identified by its module and full name.</summary>
/// <param name="Id">The frame id in the <see cref="StackTable"/>.</param>
/// <param name="Name">
/// <c>Namespace.Type.Method(ArgTypes)</c> as the runtime names it; <c>[native code]</c> when the
/// address is in no managed method known to the session; <c>[truncated]</c> and
/// <c>[stack table full]</c> for the sampler's own markers.
/// </param>
/// <param name="Module">The module (assembly) name, or empty when unknown.</param>
public sealed record StackFrameInfo(int Id, string Name, string Module);

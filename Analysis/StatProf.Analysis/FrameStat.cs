namespace StatProf.Analysis;

/// <summary>
/// One frame (method identity) over the analysed samples. <see cref="Self"/> counts samples where it
/// was the leaf; <see cref="Total"/> samples where it was anywhere on the stack, once per sample
/// even when it recurses.
/// </summary>
/// <param name="Name"><c>Namespace.Type.Method(args)</c>, or a marker such as <c>[native code]</c>.</param>
/// <param name="Module">The module of its first appearance, or empty.</param>
/// <param name="Self">Samples with this frame as the leaf.</param>
/// <param name="Total">Samples with this frame on the stack.</param>
/// <param name="SelfShare">Self over all samples, with its Wilson interval.</param>
/// <param name="TotalShare">Total over all samples, with its Wilson interval.</param>
/// <param name="SelfStates">Self samples by state (running, waiting, awaiting).</param>
public sealed record FrameStat(string Name, string Module, long Self, long Total, Share SelfShare, Share TotalShare, StateCounts SelfStates);

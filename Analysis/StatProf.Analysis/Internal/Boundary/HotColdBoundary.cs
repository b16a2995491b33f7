using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Boundary;

/// <summary>
/// The hot/cold boundary of two consecutive stacks of one request (DESIGN.md): with stacks root
/// first, the deepest frame k with S[0..k] = S'[0..k], frames compared by method identity (interned
/// name). S[k] is credited with the interval between the two samples.
/// </summary>
internal static class HotColdBoundary
{
    /// <summary>
    /// The frame id to credit, or -1 when the stacks share no frame. Markers (<c>[native code]</c>,
    /// <c>[truncated]</c>, …) are not methods: when k lands on one, the credit goes to the nearest
    /// real frame above it (two samples blocked in the same native call credit its managed caller).
    /// </summary>
    public static int CreditedFrame(ReadOnlySpan<int> previous, ReadOnlySpan<int> next, FrameTable frames)
    {
        int k = previous.CommonPrefixLength(next) - 1;
        while (k >= 0 && frames.IsPseudo(previous[k]))
        {
            k--;
        }

        return k < 0 ? -1 : previous[k];
    }
}

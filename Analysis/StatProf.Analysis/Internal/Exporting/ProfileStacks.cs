using StatProf.Analysis.Internal.Aggregation;
using StatProf.Analysis.Internal.Filters;

namespace StatProf.Analysis.Internal.Exporting;

/// <summary>
/// The stacks behind a <see cref="Profile"/>, as the exchange formats need them: the requests the
/// profile selected (its <c>--request</c> / <c>--where</c>), each with its samples by stack after the
/// profile's ignore rules (dropped frames removed, folded frames made leaves). Stacks are visited in
/// interned (first-seen) order, so output built from them is deterministic for a given input.
/// </summary>
internal sealed class ProfileStacks
{
    private readonly StackProjection _projection;

    public ProfileStacks(Profile profile)
    {
        Profile = profile;
        _projection = new StackProjection(profile.Set, profile.Options.Ignore ?? IgnoreSet.None);
    }

    public Profile Profile { get; }

    public FrameTable Frames => Profile.Set.Frames;

    /// <summary>The selected requests, by duration descending as the profile ranks them.</summary>
    public IEnumerable<Request> Requests => Profile.Requests.Select(summary => summary.Request);

    /// <summary>A request's samples as (projected stack id, tally), by raw stack id ascending.</summary>
    public List<(int Stack, StateTally Tally)> StacksOf(Request request)
    {
        var stacks = new List<(int Stack, StateTally Tally)>(request.StackCounts.Count);
        foreach (int raw in request.StackCounts.Keys.Order())
        {
            stacks.Add((_projection.Map(raw), request.StackCounts[raw]));
        }

        return stacks;
    }

    /// <summary>The frames of a projected stack, root first (a copy: safe across later calls).</summary>
    public int[] FramesOf(int projectedStack) => _projection.Get(projectedStack).ToArray();
}

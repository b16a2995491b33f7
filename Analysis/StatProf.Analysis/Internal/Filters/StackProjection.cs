using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Filters;

/// <summary>
/// A set's stacks as an <see cref="IgnoreSet"/> sees them: dropped frames removed, folded frames
/// made leaves. Each raw stack is projected once (memoized by stack id) into its own interned table,
/// and each frame's rule is evaluated once (memoized by frame id), so the globs never run per sample.
/// With no rule the projection is the identity and costs nothing.
/// </summary>
internal sealed class StackProjection
{
    private const sbyte Unknown = -1;

    private readonly RecordSet _set;
    private readonly IgnoreSet _ignore;
    private readonly StackTable? _projected;
    private readonly int[]? _map;
    private readonly sbyte[]? _actions;
    private int[] _buffer = new int[256];

    public StackProjection(RecordSet set, IgnoreSet ignore)
    {
        _set = set;
        _ignore = ignore;
        if (!ignore.IsEmpty)
        {
            _projected = new StackTable();
            _map = new int[set.Stacks.Count];
            Array.Fill(_map, -1);
            _actions = new sbyte[set.Frames.Count];
            Array.Fill(_actions, Unknown);
        }
    }

    /// <summary>The number of projected stacks so far (ids are below it).</summary>
    public int Count => _projected?.Count ?? _set.Stacks.Count;

    /// <summary>The projected stack id of a raw stack id.</summary>
    public int Map(int rawStackId)
    {
        if (_map is null)
        {
            return rawStackId;
        }

        int id = _map[rawStackId];
        return id >= 0 ? id : _map[rawStackId] = Project(rawStackId);
    }

    /// <summary>The frames of a projected stack, root first; valid until the next <see cref="Map"/>.</summary>
    public ReadOnlySpan<int> Get(int projectedId) => _projected is null ? _set.Stacks.Get(projectedId) : _projected.Get(projectedId);

    private int Project(int rawStackId)
    {
        ReadOnlySpan<int> raw = _set.Stacks.Get(rawStackId);
        if (raw.Length > _buffer.Length)
        {
            _buffer = new int[raw.Length];
        }

        int count = 0;
        foreach (int frame in raw)
        {
            FrameAction action = ActionFor(frame);
            if (action == FrameAction.Drop)
            {
                continue;
            }

            _buffer[count++] = frame;
            if (action == FrameAction.Fold)
            {
                break;
            }
        }

        return _projected!.Intern(_buffer.AsSpan(0, count));
    }

    private FrameAction ActionFor(int frame)
    {
        sbyte action = _actions![frame];
        if (action == Unknown)
        {
            action = _actions[frame] = (sbyte)_ignore.ActionFor(_set.Frames.Name(frame));
        }

        return (FrameAction)action;
    }
}

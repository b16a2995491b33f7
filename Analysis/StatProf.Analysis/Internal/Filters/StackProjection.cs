using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Filters;

/// <summary>
/// A set's stacks as an <see cref="IgnoreSet"/> sees them: dropped frames removed, folded frames
/// made leaves. Each frame's rule is evaluated once (memoized by frame id) and each raw stack is
/// projected once (memoized by stack id), so globs never run per sample. A stack the rules leave
/// unchanged keeps its raw id and is not copied; a changed one is interned in a side table with ids
/// from <c>raw count</c> on. Two ids may then hold equal frames; every consumer compares frames,
/// not ids, so that is harmless.
/// </summary>
internal sealed class StackProjection
{
    private const sbyte Unknown = -1;

    private readonly RecordSet _set;
    private readonly IgnoreSet _ignore;
    private readonly int _rawCount;
    private readonly StackTable? _changed;
    private readonly int[]? _map;
    private readonly sbyte[]? _actions;
    private int[] _buffer = new int[256];

    public StackProjection(RecordSet set, IgnoreSet ignore)
    {
        _set = set;
        _ignore = ignore;
        _rawCount = set.Stacks.Count;
        if (!ignore.IsEmpty)
        {
            _changed = new StackTable();
            _map = new int[_rawCount];
            Array.Fill(_map, -1);
            _actions = new sbyte[set.Frames.Count];
            Array.Fill(_actions, Unknown);
        }
    }

    /// <summary>One more than the largest projected id handed out so far.</summary>
    public int Count => _rawCount + (_changed?.Count ?? 0);

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
    public ReadOnlySpan<int> Get(int projectedId) =>
        projectedId < _rawCount ? _set.Stacks.Get(projectedId) : _changed!.Get(projectedId - _rawCount);

    private int Project(int rawStackId)
    {
        ReadOnlySpan<int> raw = _set.Stacks.Get(rawStackId);
        int firstChange = -1;
        for (int i = 0; i < raw.Length; i++)
        {
            if (ActionFor(raw[i]) != FrameAction.Keep)
            {
                firstChange = i;
                break;
            }
        }

        if (firstChange < 0)
        {
            return rawStackId;
        }

        if (raw.Length > _buffer.Length)
        {
            _buffer = new int[raw.Length];
        }

        raw[..firstChange].CopyTo(_buffer);
        int count = firstChange;
        for (int i = firstChange; i < raw.Length; i++)
        {
            int frame = raw[i];
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

        return _rawCount + _changed!.Intern(_buffer.AsSpan(0, count));
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

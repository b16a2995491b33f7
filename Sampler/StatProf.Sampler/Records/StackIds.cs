namespace StatProf.Sampler.Records;

/// <summary>
/// The ids the writer gives distinct stacks (format version 2): a dump line refers to its stack by
/// id, and the stack itself is written once per file. Writer thread only. At most
/// <see cref="MaxStacks"/> stacks are remembered; past that the table starts afresh (ids keep
/// increasing, so an id never names two stacks).
/// </summary>
internal sealed class StackIds
{
    /// <summary>Stacks remembered before the table starts afresh.</summary>
    public const int MaxStacks = 65_536;

    private readonly Dictionary<StackKey, long> _ids = new(StackKeyComparer.Instance);
    private long _last;

    /// <summary>The id of a stack, a new one the first time it is seen.</summary>
    public long IdOf(IReadOnlyList<FrameRecord> frames, bool truncated)
    {
        var key = new StackKey(frames, truncated);
        if (_ids.TryGetValue(key, out long id))
        {
            return id;
        }

        if (_ids.Count >= MaxStacks)
        {
            _ids.Clear();
        }

        id = ++_last;
        _ids.Add(key, id);
        return id;
    }

    private readonly record struct StackKey(IReadOnlyList<FrameRecord> Frames, bool Truncated);

    /// <summary>
    /// Compares stacks frame by frame: name, module, file and line (ordinal). Two stacks of the same
    /// methods at other lines are two stacks: one id for both would write the first one's lines for
    /// the second (and a stack first seen before its IL maps arrived would keep no line for good).
    /// </summary>
    private sealed class StackKeyComparer : IEqualityComparer<StackKey>
    {
        public static readonly StackKeyComparer Instance = new();

        public bool Equals(StackKey x, StackKey y)
        {
            if (x.Truncated != y.Truncated || x.Frames.Count != y.Frames.Count)
            {
                return false;
            }

            for (int i = 0; i < x.Frames.Count; i++)
            {
                if (!string.Equals(x.Frames[i].Name, y.Frames[i].Name, StringComparison.Ordinal)
                    || !string.Equals(x.Frames[i].Module, y.Frames[i].Module, StringComparison.Ordinal)
                    || x.Frames[i].Line != y.Frames[i].Line
                    || !string.Equals(x.Frames[i].File, y.Frames[i].File, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(StackKey key)
        {
            var hash = default(HashCode);
            hash.Add(key.Truncated);
            for (int i = 0; i < key.Frames.Count; i++)
            {
                hash.Add(key.Frames[i].Name, StringComparer.Ordinal);
                hash.Add(key.Frames[i].Module, StringComparer.Ordinal);
                hash.Add(key.Frames[i].Line);
            }

            return hash.ToHashCode();
        }
    }
}

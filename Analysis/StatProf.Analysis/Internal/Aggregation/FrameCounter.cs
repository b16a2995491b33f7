using System.Runtime.CompilerServices;

namespace StatProf.Analysis.Internal.Aggregation;

/// <summary>
/// Per-frame self and total sample counts by state over interned stacks. Total counts a frame once
/// per stack however often it recurses, with an epoch stamp per frame instead of a set, so adding a
/// stack allocates nothing.
/// </summary>
internal sealed class FrameCounter
{
    private readonly long[] _self;   // frame * 3 + state
    private readonly long[] _total;  // frame * 3 + state
    private readonly int[] _stamp;
    private int _epoch;

    public FrameCounter(int frameCount)
    {
        FrameCount = frameCount;
        _self = new long[frameCount * 3];
        _total = new long[frameCount * 3];
        _stamp = new int[frameCount];
    }

    public int FrameCount { get; }

    /// <summary>Adds <paramref name="count"/> samples in one state with the given stack (root first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ReadOnlySpan<int> stack, DumpState state, long count)
    {
        if (stack.IsEmpty || count == 0)
        {
            return;
        }

        int s = (int)state;
        _self[(stack[^1] * 3) + s] += count;
        int epoch = NextEpoch();
        foreach (int frame in stack)
        {
            if (_stamp[frame] != epoch)
            {
                _stamp[frame] = epoch;
                _total[(frame * 3) + s] += count;
            }
        }
    }

    /// <summary>Adds samples in all three states with the given stack, walking it once.</summary>
    public void Add(ReadOnlySpan<int> stack, long running, long waiting, long awaiting)
    {
        if (stack.IsEmpty || (running | waiting | awaiting) == 0)
        {
            return;
        }

        int leaf = stack[^1] * 3;
        _self[leaf] += running;
        _self[leaf + 1] += waiting;
        _self[leaf + 2] += awaiting;
        int epoch = NextEpoch();
        foreach (int frame in stack)
        {
            if (_stamp[frame] != epoch)
            {
                _stamp[frame] = epoch;
                int i = frame * 3;
                _total[i] += running;
                _total[i + 1] += waiting;
                _total[i + 2] += awaiting;
            }
        }
    }

    public StateCounts Self(int frame) => new(_self[frame * 3], _self[(frame * 3) + 1], _self[(frame * 3) + 2]);

    public StateCounts Total(int frame) => new(_total[frame * 3], _total[(frame * 3) + 1], _total[(frame * 3) + 2]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int NextEpoch()
    {
        if (++_epoch == int.MaxValue)
        {
            Array.Clear(_stamp);
            _epoch = 1;
        }

        return _epoch;
    }
}

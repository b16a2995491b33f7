using System.Runtime.InteropServices;
using StatProf.Analysis.Internal.Aggregation;
using StatProf.Analysis.Internal.Boundary;
using StatProf.Analysis.Internal.Filters;

namespace StatProf.Analysis.Internal.Rendering;

/// <summary>
/// The call tree of a flame graph: every distinct stack (as the ignore set projects it) inserted
/// root first into a trie whose nodes count the samples under them by state. Node 0 is the root
/// (all samples, no frame). Built from interned stacks with their counts, so work is proportional
/// to distinct stacks times depth, never to samples. Each node also holds the seconds the hot/cold
/// boundary credited to that exact call path, so the page can show where the boundary runs.
/// </summary>
internal sealed class FlameTree
{
    private readonly Dictionary<long, int> _children;
    private int[] _frame;
    private int[] _parent;
    private long[] _counts;
    private double[]? _boundary;

    /// <summary>Projected stack id → its node at every depth, so a stack is walked by hashing once.</summary>
    private readonly Dictionary<int, int[]> _paths = [];

    /// <summary>An empty tree (the root only).</summary>
    /// <param name="capacity">Nodes expected: sized once rather than grown by rehashing.</param>
    public FlameTree(int capacity = 64)
    {
        capacity = Math.Max(capacity, 64);
        _children = new Dictionary<long, int>(capacity);
        _frame = new int[capacity];
        _parent = new int[capacity];
        _counts = new long[capacity * 3];
        _frame[0] = -1;
        _parent[0] = -1;
        Count = 1;
    }

    /// <summary>Nodes, the root included.</summary>
    public int Count { get; private set; }

    /// <summary>All samples (the root's).</summary>
    public long Samples => Total(0);

    /// <summary>The frame id of a node (-1 for the root).</summary>
    public int Frame(int node) => _frame[node];

    /// <summary>The parent of a node (-1 for the root). Parents come before their children.</summary>
    public int Parent(int node) => _parent[node];

    public long Running(int node) => _counts[node * 3];

    public long Waiting(int node) => _counts[(node * 3) + 1];

    public long Awaiting(int node) => _counts[(node * 3) + 2];

    /// <summary>
    /// Seconds the hot/cold boundary credited to this call path: intervals between consecutive dumps
    /// of a request whose deepest common call path was this one (DESIGN.md).
    /// </summary>
    public double BoundarySeconds(int node) => _boundary is { } b && node < b.Length ? b[node] : 0;

    /// <summary>Samples with this node on the stack.</summary>
    public long Total(int node) => _counts[node * 3] + _counts[(node * 3) + 1] + _counts[(node * 3) + 2];

    /// <summary>The tree of the given requests' samples, their stacks projected by <paramref name="projection"/>.</summary>
    /// <remarks>
    /// Counts are first summed by projected stack over all requests, so each distinct stack is
    /// walked into the trie once, however many requests share it.
    /// </remarks>
    public static FlameTree Build(IReadOnlyList<Request> requests, StackProjection projection, FrameTable frames)
    {
        var byStack = new Dictionary<int, (long Running, long Waiting, long Awaiting)>();
        foreach (Request request in requests)
        {
            foreach ((int rawStack, StateTally tally) in request.StackCounts)
            {
                ref var counts = ref CollectionsMarshal.GetValueRefOrAddDefault(byStack, projection.Map(rawStack), out _);
                counts.Running += tally.Running;
                counts.Waiting += tally.Waiting;
                counts.Awaiting += tally.Awaiting;
            }
        }

        // At most one node per frame of every distinct stack: an upper bound that is usually close
        // (stacks share prefixes), capped so that a pathological set grows rather than over-reserves.
        long depths = 0;
        foreach (int stack in byStack.Keys)
        {
            depths += projection.Get(stack).Length;
        }

        var tree = new FlameTree((int)Math.Min(depths / 2, 4_000_000));
        foreach ((int stack, var counts) in byStack)
        {
            tree.AddStack(stack, projection.Get(stack), counts.Running, counts.Waiting, counts.Awaiting);
        }

        foreach (Request request in requests)
        {
            tree.CreditBoundaries(request, projection, frames);
        }

        return tree;
    }

    /// <summary>Adds one request's samples and its boundary credits.</summary>
    public void Add(Request request, StackProjection projection, FrameTable frames)
    {
        foreach ((int rawStack, StateTally tally) in request.StackCounts)
        {
            int stack = projection.Map(rawStack);
            AddStack(stack, projection.Get(stack), tally.Running, tally.Waiting, tally.Awaiting);
        }

        CreditBoundaries(request, projection, frames);
    }

    /// <summary>
    /// Credits the interval of every pair of consecutive dumps of a request to the call path of
    /// their hot/cold boundary: the deepest common prefix of the two stacks, markers skipped as
    /// <see cref="HotColdBoundary"/> skips them. Call after the request's samples were added.
    /// </summary>
    public void CreditBoundaries(Request request, StackProjection projection, FrameTable frames)
    {
        foreach ((long pair, Transition transition) in request.Transitions)
        {
            int previousId = projection.Map((int)(pair >> 32));
            int nextId = projection.Map((int)pair);
            ReadOnlySpan<int> previous = projection.Get(previousId); // both valid: no Map in between
            ReadOnlySpan<int> next = projection.Get(nextId);
            int k = previous.CommonPrefixLength(next) - 1;
            while (k >= 0 && frames.IsPseudo(previous[k]))
            {
                k--;
            }

            int node = k < 0 ? -1 : _paths.TryGetValue(nextId, out int[]? path) ? path[k] : Find(next[..(k + 1)]);
            if (node > 0)
            {
                _boundary ??= new double[_frame.Length];
                if (node >= _boundary.Length)
                {
                    Array.Resize(ref _boundary, _frame.Length);
                }

                _boundary[node] += transition.Seconds;
            }
        }
    }

    /// <summary>The node of a call path, root first, or -1 when no sample had it.</summary>
    public int Find(ReadOnlySpan<int> framesRootFirst)
    {
        int node = 0;
        foreach (int frame in framesRootFirst)
        {
            if (!_children.TryGetValue(((long)node << 32) | (uint)frame, out node))
            {
                return -1;
            }
        }

        return node;
    }

    /// <summary>Adds samples of one stack, root first.</summary>
    public void Add(ReadOnlySpan<int> framesRootFirst, long running, long waiting, long awaiting)
    {
        int node = 0;
        AddCounts(0, running, waiting, awaiting);
        foreach (int frame in framesRootFirst)
        {
            node = Child(node, frame);
            AddCounts(node, running, waiting, awaiting);
        }
    }

    /// <summary>Adds samples of one projected stack, remembering its nodes for later adds and credits.</summary>
    private void AddStack(int stackId, ReadOnlySpan<int> framesRootFirst, long running, long waiting, long awaiting)
    {
        AddCounts(0, running, waiting, awaiting);
        if (_paths.TryGetValue(stackId, out int[]? path))
        {
            foreach (int known in path)
            {
                AddCounts(known, running, waiting, awaiting);
            }

            return;
        }

        path = new int[framesRootFirst.Length];
        int node = 0;
        for (int depth = 0; depth < framesRootFirst.Length; depth++)
        {
            node = path[depth] = Child(node, framesRootFirst[depth]);
            AddCounts(node, running, waiting, awaiting);
        }

        _paths.Add(stackId, path);
    }

    private void AddCounts(int node, long running, long waiting, long awaiting)
    {
        _counts[node * 3] += running;
        _counts[(node * 3) + 1] += waiting;
        _counts[(node * 3) + 2] += awaiting;
    }

    private int Child(int parent, int frame)
    {
        long key = ((long)parent << 32) | (uint)frame;
        ref int child = ref CollectionsMarshal.GetValueRefOrAddDefault(_children, key, out bool exists);
        if (exists)
        {
            return child;
        }

        if (Count == _frame.Length)
        {
            Array.Resize(ref _frame, Count * 2);
            Array.Resize(ref _parent, Count * 2);
            Array.Resize(ref _counts, Count * 2 * 3);
        }

        child = Count++;
        _frame[child] = frame;
        _parent[child] = parent;
        return child;
    }
}

using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace StatProf.Sampler.Internal.Symbols;

/// <summary>
/// Native code address → IL offset, from the runtime's IL-to-native maps: the
/// <c>MethodILToNativeMap</c> events of code jitted while a session runs (keyword
/// <c>JittedMethodILToNativeMap</c>, 0x20000) and the rundown's <c>MethodDCEndILToNativeMap</c>
/// for code jitted before (see <see cref="RundownMaps"/>). TraceEvent's real-time TraceLog does
/// not keep these maps (its <c>ILOffset</c> is -1 for every live frame, measured with 4.0.0), and
/// its lookup takes the address as is, where a caller frame needs the return address minus one.
/// Used by one thread at a time (the reader of a session).
/// </summary>
/// <remarks>
/// Memory: one entry per jitted code body (tier 0, OSR and tier 1 of a method are separate bodies),
/// about 8 bytes per map entry. Bounded by <see cref="MaxBodies"/>; past it new bodies are not
/// kept and their frames have no line.
/// </remarks>
internal sealed class NativeCodeMaps
{
    /// <summary>Code bodies kept at most.</summary>
    public const int MaxBodies = 500_000;

    private readonly Dictionary<long, Body> _awaitingMap = new(); // live: the load came, its map follows
    private readonly Dictionary<long, (int[] Native, int[] IL)> _pendingMap = new(); // rundown: the map came, its method follows
    private readonly List<Body> _bodies = [];
    private Body[] _sorted = [];
    private bool _dirty;

    /// <summary>Code bodies with a map.</summary>
    public int Count => _bodies.Count;

    /// <summary>A live <c>MethodLoadVerbose</c>: a new code body; its map event follows it.</summary>
    public void OnMethodLoad(MethodLoadUnloadVerboseTraceData data) => OnLiveLoad(data.MethodID, data.MethodStartAddress, data.MethodSize);

    /// <summary>A live <c>MethodILToNativeMap</c>: the map of the body just loaded.</summary>
    public void OnLiveMap(MethodILToNativeMapTraceData data)
    {
        if (data.MethodExtent != 0 || !_awaitingMap.Remove(data.MethodID, out Body? body) || body is null)
        {
            return; // a cold extent, or a body we never saw load
        }

        (body.Native, body.IL) = ReadMap(data);
        Add(body);
    }

    /// <summary>A rundown <c>MethodDCEndILToNativeMap</c>: the map comes before its method event.</summary>
    public void OnRundownMap(MethodILToNativeMapTraceData data)
    {
        if (data.MethodExtent == 0)
        {
            _pendingMap[data.MethodID] = ReadMap(data);
        }
    }

    /// <summary>A rundown <c>MethodDCEndVerbose</c>: a code body that existed when the rundown ran.</summary>
    public void OnRundownMethod(MethodLoadUnloadVerboseTraceData data)
    {
        if (_pendingMap.Remove(data.MethodID, out var map))
        {
            Add(new Body(data.MethodStartAddress, data.MethodSize) { Native = map.Native, IL = map.IL });
        }
    }

    /// <summary>Adds every body of another instance (a rundown collected on another thread, before use).</summary>
    public void Merge(NativeCodeMaps other)
    {
        foreach (Body body in other._bodies)
        {
            Add(body);
        }
    }

    /// <summary>For tests and benchmarks: a body with its map.</summary>
    internal void AddBody(ulong start, int size, int[] nativeOffsets, int[] ilOffsets)
    {
        Add(new Body(start, size) { Native = nativeOffsets, IL = ilOffsets });
    }

    /// <summary>Live load without the TraceEvent type (tests).</summary>
    internal void OnLiveLoad(long methodId, ulong start, int size)
    {
        if (_awaitingMap.Count > MaxBodies)
        {
            _awaitingMap.Clear(); // loads whose maps never came (the keyword was off)
        }

        _awaitingMap[methodId] = new Body(start, size);
    }

    /// <summary>
    /// The IL offset of a native address, or -1 when no map covers it. For a caller frame
    /// (<paramref name="isReturnAddress"/>), the address is the instruction after the call: the
    /// byte before it is looked up, so the offset is the call's, not the next statement's.
    /// </summary>
    public int ILOffset(ulong address, bool isReturnAddress)
    {
        if (_dirty)
        {
            _sorted = [.. _bodies];
            Array.Sort(_sorted, static (a, b) => a.Start.CompareTo(b.Start));
            _dirty = false;
        }

        ulong at = isReturnAddress && address > 0 ? address - 1 : address;
        Body[] sorted = _sorted;
        int lo = 0, hi = sorted.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].Start <= at)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (found < 0)
        {
            return -1;
        }

        Body body = sorted[found];
        ulong offset = at - body.Start;
        return offset >= (ulong)body.Size ? -1 : body.ILOffsetAt((int)offset);
    }

    private void Add(Body body)
    {
        if (_bodies.Count >= MaxBodies)
        {
            return;
        }

        _bodies.Add(body);
        _dirty = true;
    }

    private static (int[] Native, int[] IL) ReadMap(MethodILToNativeMapTraceData data)
    {
        int count = data.CountOfMapEntries;
        var native = new int[count];
        var il = new int[count];
        for (int i = 0; i < count; i++)
        {
            native[i] = data.NativeOffset(i);
            il[i] = data.ILOffset(i);
        }

        Array.Sort(native, il); // the runtime sends them in IL order for some bodies
        return (native, il);
    }

    private sealed class Body(ulong start, int size)
    {
        public ulong Start { get; } = start;

        public int Size { get; } = size;

        public int[] Native { get; set; } = [];

        public int[] IL { get; set; } = [];

        /// <summary>The IL offset of the map entry whose native range holds the offset.</summary>
        public int ILOffsetAt(int nativeOffset)
        {
            int i = Array.BinarySearch(Native, nativeOffset);
            if (i < 0)
            {
                i = ~i - 1; // the last entry starting before it
            }

            // Prolog (-2), epilog (-3) and unmapped (-1) entries: take the nearest real offset before,
            // or the first one after for the prolog.
            for (int j = i; j >= 0; j--)
            {
                if (IL[j] >= 0)
                {
                    return IL[j];
                }
            }

            for (int j = Math.Max(i + 1, 0); j < IL.Length; j++)
            {
                if (IL[j] >= 0)
                {
                    return IL[j];
                }
            }

            return -1;
        }
    }
}

namespace StatProf.Sampler.Internal;

/// <summary>
/// Groups the runtime's thread samples into ticks and measures the interval between ticks.
/// The runtime walks every thread within one suspension, so the samples of a tick arrive together:
/// a new tick starts when a thread repeats within the current tick or when the stream pauses for
/// longer than <see cref="GapTicks"/>. Sampler thread only, except <see cref="MedianInterval"/>.
/// </summary>
internal sealed class TickClock
{
    /// <summary>A pause of 250 µs between two samples starts a new tick (the shortest tick is 1 ms).</summary>
    private const long GapTicks = 2_500;

    private readonly long[] _intervals = new long[128];
    private int _intervalCount;
    private long _lastTimestamp = long.MinValue;
    private long _tickStart = long.MinValue;
    private int _firstThreadOfTick;

    /// <summary>Ticks seen.</summary>
    public long Tick { get; private set; }

    /// <summary>Starts a new session: the first sample then opens a new tick.</summary>
    public void Reset()
    {
        _lastTimestamp = long.MinValue;
        _tickStart = long.MinValue;
        _firstThreadOfTick = 0;
        lock (_intervals)
        {
            _intervalCount = 0;
        }
    }

    /// <summary>Places a sample; returns the tick it belongs to.</summary>
    public long Observe(long timestamp, int osThreadId)
    {
        bool newTick = _lastTimestamp == long.MinValue
            || timestamp - _lastTimestamp > GapTicks
            || osThreadId == _firstThreadOfTick;
        _lastTimestamp = timestamp;
        if (newTick)
        {
            if (_tickStart != long.MinValue)
            {
                lock (_intervals)
                {
                    _intervals[_intervalCount++ % _intervals.Length] = timestamp - _tickStart;
                }
            }

            _tickStart = timestamp;
            _firstThreadOfTick = osThreadId;
            Tick++;
        }

        return Tick;
    }

    /// <summary>The median interval over the last 128 ticks of the current session, or null before two ticks.</summary>
    public TimeSpan? MedianInterval
    {
        get
        {
            Span<long> copy = stackalloc long[128];
            int n;
            lock (_intervals)
            {
                n = Math.Min(_intervalCount, _intervals.Length);
                _intervals.AsSpan(0, n).CopyTo(copy);
            }

            if (n == 0)
            {
                return null;
            }

            copy = copy[..n];
            copy.Sort();
            return TimeSpan.FromTicks(n % 2 == 1 ? copy[n / 2] : (copy[(n / 2) - 1] + copy[n / 2]) / 2);
        }
    }
}

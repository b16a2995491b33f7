namespace StatProf.Analysis.Internal.Boundary;

/// <summary>
/// Sums boundary credit per frame over all requests (seconds, pairs, distinct requests) and per
/// request (to find its top spot), with arrays indexed by frame id and a touched list: no allocation
/// per pair or per request.
/// </summary>
internal sealed class SpotAccumulator
{
    private readonly double[] _seconds;
    private readonly long[] _intervals;
    private readonly int[] _requests;
    private readonly int[] _lastRequest;
    private readonly double[] _requestSeconds;
    private readonly long[] _requestIntervals;
    private readonly List<int> _touched = [];
    private int _request;

    public SpotAccumulator(int frameCount)
    {
        _seconds = new double[frameCount];
        _intervals = new long[frameCount];
        _requests = new int[frameCount];
        _lastRequest = new int[frameCount];
        _requestSeconds = new double[frameCount];
        _requestIntervals = new long[frameCount];
    }

    /// <summary>Pairs with a positive interval, credited or not.</summary>
    public long Intervals { get; private set; }

    public double Seconds { get; private set; }

    public long NoCommonFrame { get; private set; }

    public double NoCommonFrameSeconds { get; private set; }

    /// <summary>This request's pairs and time (since <see cref="BeginRequest"/>).</summary>
    public long RequestIntervals { get; private set; }

    public double RequestSeconds { get; private set; }

    public void BeginRequest()
    {
        _request++;
        foreach (int frame in _touched)
        {
            _requestSeconds[frame] = 0;
            _requestIntervals[frame] = 0;
        }

        _touched.Clear();
        RequestIntervals = 0;
        RequestSeconds = 0;
    }

    /// <summary>Credits <paramref name="count"/> pairs totalling <paramref name="seconds"/> to a frame (-1: no common frame).</summary>
    public void Credit(int frame, int count, double seconds)
    {
        Intervals += count;
        Seconds += seconds;
        RequestIntervals += count;
        RequestSeconds += seconds;
        if (frame < 0)
        {
            NoCommonFrame += count;
            NoCommonFrameSeconds += seconds;
            return;
        }

        _seconds[frame] += seconds;
        _intervals[frame] += count;
        if (_lastRequest[frame] != _request)
        {
            _lastRequest[frame] = _request;
            _requests[frame]++;
            _touched.Add(frame);
        }

        _requestSeconds[frame] += seconds;
        _requestIntervals[frame] += count;
    }

    /// <summary>The frame with most time in the current request (first credited wins ties), or -1.</summary>
    public int RequestTop(out double seconds, out long intervals)
    {
        int best = -1;
        seconds = 0;
        intervals = 0;
        foreach (int frame in _touched)
        {
            if (_requestSeconds[frame] > seconds)
            {
                best = frame;
                seconds = _requestSeconds[frame];
                intervals = _requestIntervals[frame];
            }
        }

        return best;
    }

    public double FrameSeconds(int frame) => _seconds[frame];

    public long FrameIntervals(int frame) => _intervals[frame];

    public int FrameRequests(int frame) => _requests[frame];
}

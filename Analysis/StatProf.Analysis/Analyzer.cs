using StatProf.Analysis.Internal.Aggregation;
using StatProf.Analysis.Internal.Boundary;
using StatProf.Analysis.Internal.Filters;
using StatProf.Analysis.Internal.Statistics;

namespace StatProf.Analysis;

/// <summary>
/// Turns a <see cref="RecordSet"/> into a <see cref="Profile"/>: self and total counts per frame
/// (recursion counted once per stack) with Wilson intervals, split by state; the hot/cold boundary
/// of every pair of consecutive dumps of every request, summed into optimization spots; and each
/// request's own top spot. Work is proportional to distinct stacks and transitions, not to samples.
/// </summary>
public static class Analyzer
{
    /// <summary>Analyses the requests of a set that the options select.</summary>
    /// <param name="set">The set.</param>
    /// <param name="options">What to count; <c>null</c> for the defaults (default ignore set, all requests).</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The confidence level is not in (0, 1).</exception>
    public static Profile Analyze(RecordSet set, AnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        options ??= new AnalysisOptions();
        double z = Proportions.ZForConfidence(options.ConfidenceLevel);
        var projection = new StackProjection(set, options.Ignore ?? IgnoreSet.None);
        Func<Request, bool>? where = options.Where?.CreateMatcher(set);

        int frameCount = set.Frames.Count;
        var stackCounts = new long[Math.Max(1, set.Stacks.Count) * 3]; // by projected stack id; grows for changed stacks
        var spots = new SpotAccumulator(frameCount);
        var leafCounts = new long[frameCount];
        var leafTouched = new List<int>();
        var summaries = new List<RequestSummary>();
        int singleSample = 0;
        long badIntervals = 0;
        long running = 0, waiting = 0, awaiting = 0;

        foreach (Request request in set.Requests)
        {
            if ((options.RequestId is { } id && !string.Equals(request.Id, id, StringComparison.Ordinal))
                || (where is not null && !where(request)))
            {
                continue;
            }

            // Samples by projected stack, and this request's busiest leaf.
            foreach (int frame in leafTouched)
            {
                leafCounts[frame] = 0;
            }

            leafTouched.Clear();
            int topLeaf = -1;
            foreach ((int rawStack, StateTally tally) in request.StackCounts)
            {
                int stack = projection.Map(rawStack);
                if ((stack * 3) + 2 >= stackCounts.Length)
                {
                    Array.Resize(ref stackCounts, Math.Max(stackCounts.Length * 2, (stack + 1) * 3));
                }

                stackCounts[stack * 3] += tally.Running;
                stackCounts[(stack * 3) + 1] += tally.Waiting;
                stackCounts[(stack * 3) + 2] += tally.Awaiting;
                running += tally.Running;
                waiting += tally.Waiting;
                awaiting += tally.Awaiting;
                ReadOnlySpan<int> frames = projection.Get(stack);
                if (frames.Length > 0)
                {
                    int leaf = frames[^1];
                    if (leafCounts[leaf] == 0)
                    {
                        leafTouched.Add(leaf);
                    }

                    leafCounts[leaf] += tally.Total;
                    if (topLeaf < 0 || leafCounts[leaf] > leafCounts[topLeaf])
                    {
                        topLeaf = leaf;
                    }
                }
            }

            // The hot/cold boundary of every pair of consecutive dumps.
            spots.BeginRequest();
            foreach ((long pair, Transition transition) in request.Transitions)
            {
                int previous = projection.Map((int)(pair >> 32));
                int next = projection.Map((int)pair);
                int credited = HotColdBoundary.CreditedFrame(projection.Get(previous), projection.Get(next), set.Frames);
                spots.Credit(credited, transition.Count, transition.Seconds);
            }

            if (request.Samples == 1)
            {
                singleSample++;
            }

            badIntervals += request.BadIntervals;
            Spot? top = null;
            int topFrame = spots.RequestTop(out double topSeconds, out long topIntervals);
            if (topFrame >= 0)
            {
                Share share = Proportions.Wilson(topSeconds / spots.RequestSeconds, spots.RequestIntervals, z);
                top = new Spot(set.Frames.Name(topFrame), topSeconds, 1, topIntervals, share);
            }

            summaries.Add(new RequestSummary(request, top, topLeaf >= 0 ? set.Frames.Name(topLeaf) : null, topLeaf >= 0 ? leafCounts[topLeaf] : 0));
        }

        var states = new StateCounts(running, waiting, awaiting);
        var counter = new FrameCounter(frameCount);
        for (int stack = 0; stack < projection.Count && (stack * 3) + 2 < stackCounts.Length; stack++)
        {
            int i = stack * 3;
            counter.Add(projection.Get(stack), stackCounts[i], stackCounts[i + 1], stackCounts[i + 2]);
        }

        return new Profile(
            set,
            options,
            states,
            BuildFrames(set, counter, states.Total, z),
            BuildSpots(set, spots, z),
            summaries
                .OrderByDescending(s => s.Request.EffectiveDurationMs)
                .ThenBy(s => s.Request.ProcessId)
                .ThenBy(s => s.Request.Id, StringComparer.Ordinal)
                .ToArray(),
            new BoundaryStats(spots.Intervals, spots.Seconds, spots.NoCommonFrame, spots.NoCommonFrameSeconds, singleSample, badIntervals));
    }

    /// <summary>Analyses one request of a set (all its samples, its own spots).</summary>
    /// <param name="set">The set.</param>
    /// <param name="request">The request, from <see cref="RecordSet.Requests"/>.</param>
    /// <param name="ignore">Frames dropped or folded; <c>null</c> for <see cref="IgnoreSet.Default"/>.</param>
    /// <returns>The profile of that request.</returns>
    public static Profile AnalyzeRequest(RecordSet set, Request request, IgnoreSet? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(request);
        var filter = RequestFilter.Parse($"pid={request.ProcessId}");
        return Analyze(set, new AnalysisOptions { Ignore = ignore ?? IgnoreSet.Default, RequestId = request.Id, Where = filter });
    }

    private static FrameStat[] BuildFrames(RecordSet set, FrameCounter counter, long samples, double z)
    {
        var frames = new List<FrameStat>();
        for (int frame = 0; frame < counter.FrameCount; frame++)
        {
            StateCounts total = counter.Total(frame);
            if (total.Total == 0)
            {
                continue;
            }

            StateCounts self = counter.Self(frame);
            frames.Add(new FrameStat(
                set.Frames.Name(frame),
                set.Frames.Module(frame),
                self.Total,
                total.Total,
                Proportions.Wilson((double)self.Total / samples, samples, z),
                Proportions.Wilson((double)total.Total / samples, samples, z),
                self));
        }

        frames.Sort(static (a, b) =>
        {
            int order = b.Self.CompareTo(a.Self);
            if (order == 0)
            {
                order = b.Total.CompareTo(a.Total);
            }

            return order != 0 ? order : string.CompareOrdinal(a.Name, b.Name);
        });
        return frames.ToArray();
    }

    private static Spot[] BuildSpots(RecordSet set, SpotAccumulator spots, double z)
    {
        var list = new List<Spot>();
        for (int frame = 0; frame < set.Frames.Count; frame++)
        {
            long intervals = spots.FrameIntervals(frame);
            if (intervals == 0)
            {
                continue;
            }

            double seconds = spots.FrameSeconds(frame);
            list.Add(new Spot(
                set.Frames.Name(frame),
                seconds,
                spots.FrameRequests(frame),
                intervals,
                Proportions.Wilson(seconds / spots.Seconds, spots.Intervals, z)));
        }

        list.Sort(static (a, b) =>
        {
            int order = b.Seconds.CompareTo(a.Seconds);
            return order != 0 ? order : string.CompareOrdinal(a.Frame, b.Frame);
        });
        return list.ToArray();
    }
}

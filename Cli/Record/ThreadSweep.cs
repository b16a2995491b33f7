namespace StatProf.Cli.Record;

/// <summary>
/// Decides, from the instants of the target's samples, when threads absent from its ticks have
/// ended: a thread unseen for <see cref="Age"/> while ticks went on is gone. A pause of the ticks
/// themselves (the target's sampler thread descheduled on a saturated machine, a stalled VM) ends no
/// thread: after one, threads are judged again only once <see cref="Age"/> of ticks has followed it.
/// </summary>
internal sealed class ThreadSweep(TimeSpan age)
{
    /// <summary>A pause in the ticks this long is the target's sampler stalled, not threads ending.</summary>
    public static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    private DateTime _latest;
    private DateTime _next;

    /// <summary>How long a thread may go unsampled, while ticks go on, before it is taken as ended.</summary>
    public TimeSpan Age { get; } = age;

    /// <summary>
    /// Takes a sample's instant (samples of different threads may come slightly out of order). Returns
    /// the instant before which a thread last seen has ended, when a sweep is due; otherwise null.
    /// </summary>
    public DateTime? OnSample(DateTime time)
    {
        if (time > _latest)
        {
            if (_latest != default && time - _latest > Gap)
            {
                _next = time + Age;
            }

            _latest = time;
        }

        if (time < _next)
        {
            return null;
        }

        _next = time + Every;
        return time - Age;
    }
}

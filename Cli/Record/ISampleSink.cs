using StatProf.Sampler.Records;

namespace StatProf.Cli.Record;

/// <summary>
/// Where <see cref="EventPipeRecorder"/> sends what it reads from the target: the record file of
/// <c>record</c>/<c>attach</c> (<see cref="ThreadRecordFile"/>) or the live window of <c>top</c>.
/// Called on the recorder's reader thread only.
/// </summary>
internal interface ISampleSink
{
    /// <summary>One thread sample of the target.</summary>
    /// <param name="time">The instant of the tick, UTC.</param>
    /// <param name="osThreadId">The sampled thread's OS id.</param>
    /// <param name="state">Running or waiting.</param>
    /// <param name="frames">Its stack, root first.</param>
    void OnSample(DateTime time, int osThreadId, DumpState state, IReadOnlyList<FrameRecord> frames);

    /// <summary>
    /// The threads not sampled since <paramref name="olderThan"/> have ended: the runtime samples
    /// every managed thread at every tick, so a thread missing from later ticks is gone.
    /// </summary>
    void EndVanished(DateTime olderThan);
}

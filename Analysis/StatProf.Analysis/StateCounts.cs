namespace StatProf.Analysis;

/// <summary>Sample counts split by <see cref="DumpState"/>.</summary>
/// <param name="Running">Samples taken while running managed code.</param>
/// <param name="Waiting">Samples taken while blocked or outside managed code.</param>
/// <param name="Awaiting">Samples of an async request that was on no thread.</param>
public readonly record struct StateCounts(long Running, long Waiting, long Awaiting)
{
    /// <summary>All samples.</summary>
    public long Total => Running + Waiting + Awaiting;

    /// <summary>The count for one state.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The number of samples in that state.</returns>
    public long this[DumpState state] => state switch
    {
        DumpState.Running => Running,
        DumpState.Waiting => Waiting,
        _ => Awaiting,
    };
}

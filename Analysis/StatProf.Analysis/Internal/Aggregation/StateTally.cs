namespace StatProf.Analysis.Internal.Aggregation;

/// <summary>Mutable sample counts by state, for accumulation (see <see cref="StateCounts"/> for the public value).</summary>
internal struct StateTally
{
    public int Running;
    public int Waiting;
    public int Awaiting;

    public readonly int Total => Running + Waiting + Awaiting;

    public void Add(DumpState state)
    {
        switch (state)
        {
            case DumpState.Running: Running++; break;
            case DumpState.Waiting: Waiting++; break;
            default: Awaiting++; break;
        }
    }
}

/// <summary>Consecutive dump pairs between two given stacks, and the time between them.</summary>
internal struct Transition
{
    public int Count;
    public double Seconds;
}

namespace StatProf.Sampler.Tests;

/// <summary>
/// Tests that run real sampling sessions run one at a time: every session pauses the whole process
/// at each tick, and parallel sessions would blur each other's timing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealSampling
{
    public const string Name = "Real sampling sessions";
}

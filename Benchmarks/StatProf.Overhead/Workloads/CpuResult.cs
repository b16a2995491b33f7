namespace StatProf.Overhead.Workloads;

/// <summary>
/// What one CPU-bound child measured (CpuMsPerOperation: the process's CPU time in the window over the
/// operations; WarmUpCpuMsPerOperation: the same over the warm-up between the go and the window),
/// printed as JSON after <see cref="ChildProtocol.ResultPrefix"/>.
/// </summary>
internal sealed record CpuResult(
    long Operations,
    double Seconds,
    double OperationsPerSecond,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double CpuMsPerOperation,
    long WarmUpOperations,
    double WarmUpCpuMsPerOperation,
    long WindowStartTimestamp,
    long WindowEndTimestamp,
    Dictionary<string, double> ThreadCpuMsPerSecond,
    double GcsPerSecond,
    double AllocatedMbPerSecond,
    int Threads,
    double ProbeLoopsPerSecond,
    long Gaps,
    double GapsPerSecond,
    double GapP50Us,
    double GapP99Us,
    double GapMaxUs,
    double PausedFraction,
    bool StatProfSampling,
    long StatProfTicks,
    long StatProfActivations,
    long StatProfSlowRequests);

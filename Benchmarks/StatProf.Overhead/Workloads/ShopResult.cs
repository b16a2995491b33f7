namespace StatProf.Overhead.Workloads;

/// <summary>
/// What the shop child reports when it stops: its embedded StatProf's counters, and its garbage
/// collections and allocations per second from ready to stop (warm-up and window together).
/// </summary>
internal sealed record ShopResult(bool StatProfSampling, long StatProfTicks, long StatProfActivations, long StatProfSlowRequests, double GcsPerSecond, double AllocatedMbPerSecond);

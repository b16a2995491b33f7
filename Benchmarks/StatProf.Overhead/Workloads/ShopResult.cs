namespace StatProf.Overhead.Workloads;

/// <summary>What the shop child reports about its embedded StatProf when it stops.</summary>
internal sealed record ShopResult(bool StatProfSampling, long StatProfTicks, long StatProfActivations, long StatProfSlowRequests);

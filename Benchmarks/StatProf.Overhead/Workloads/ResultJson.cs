using System.Text.Json.Serialization;

namespace StatProf.Overhead.Workloads;

/// <summary>Source-generated JSON for the children's result lines and the driver's raw run log.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CpuResult))]
[JsonSerializable(typeof(ShopResult))]
[JsonSerializable(typeof(StatProf.Overhead.Harness.RunRecord))]
internal sealed partial class ResultJson : JsonSerializerContext;

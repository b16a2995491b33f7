using System.Text.Json.Serialization;

namespace StatProf.Overhead.Workloads;

/// <summary>Source-generated JSON for the children's result lines.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CpuResult))]
[JsonSerializable(typeof(ShopResult))]
internal sealed partial class ResultJson : JsonSerializerContext;

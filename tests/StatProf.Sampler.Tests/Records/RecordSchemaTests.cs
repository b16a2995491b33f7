using System.Text.Json;
using System.Text.Json.Nodes;
using StatProf.Sampler.Records;
using Record = StatProf.Sampler.Records.Record; // not Xunit.Record
using static StatProf.Sampler.Tests.Records.RecordFiles;

namespace StatProf.Sampler.Tests.Records;

/// <summary>The schema rejects what the format forbids: validation in the other tests means something.</summary>
public sealed class RecordSchemaTests
{
    [Fact]
    public void SchemaIsDraft2020With6RecordTypes()
    {
        JsonElement root = RecordSchema.Records.Root;

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.Equal(6, root.GetProperty("oneOf").GetArrayLength());
        foreach (string type in new[] { "header", "stack", "dump", "same", "end", "stats" })
        {
            JsonElement def = root.GetProperty("$defs").GetProperty(type);
            Assert.Equal(type, def.GetProperty("properties").GetProperty("type").GetProperty("const").GetString());
            Assert.False(def.GetProperty("additionalProperties").GetBoolean());
            Assert.Equal(
                def.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(),
                def.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
        }
    }

    [Fact]
    public void SchemaRejectsAnUnknownType()
    {
        Assert.NotEmpty(RecordSchema.Records.Errors("""{"type":"nope","time":"2026-11-21T21:40:00.0000000Z"}"""));
    }

    [Fact]
    public void SchemaRejectsAMissingField()
    {
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Same(), o => o.Remove("sameAs"))));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Dump() with { StackId = 1 }, o => o["request"]!.AsObject().Remove("tags"))));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Dump() with { StackId = 1 }, o => o.Remove("stack"))));
    }

    [Fact]
    public void SchemaRejectsAnExtraTopLevelField()
    {
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(End(), o => o["extra"] = 1)));
    }

    [Fact]
    public void SchemaRejectsWrongTypesAndValues()
    {
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Same(), o => o["dump"] = "2")));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Same(), o => o["state"] = "sleeping")));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Same(), o => o["time"] = "2026-11-21T21:40:00Z")));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Header(), o => o["version"] = 1)));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(End(), o => o["request"]!["tags"]!["n"] = 1)));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Stats(), o => o["sampler"]!["ticks"] = -1)));
        Assert.NotEmpty(RecordSchema.Records.Errors(Mutate(Dump() with { StackId = 1 }, o => o["stack"] = 0)));
    }

    private static string Mutate(Record record, Action<JsonObject> change)
    {
        JsonObject json = JsonNode.Parse(RecordJson.Serialize(record))!.AsObject();
        change(json);
        return json.ToJsonString();
    }
}

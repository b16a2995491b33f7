using System.Text.Json;
using System.Text.RegularExpressions;

namespace StatProf.Sampler.Tests.Records;

/// <summary>
/// Validates JSON against <c>docs/record-format.schema.json</c> (copied to the test output).
/// </summary>
/// <remarks>
/// JsonSchema.Net was the plan, but its dependencies (JsonPointer.Net, Json.More.Net) cannot be
/// restored from this workplace's NuGet mirror. This is a small JSON Schema (draft 2020-12)
/// evaluator for exactly the keywords the record schema uses; it throws on any other keyword, so
/// the schema cannot grow a keyword that these tests would silently ignore. The schema itself was
/// also checked with Python's jsonschema (Draft202012Validator) when it was written.
/// </remarks>
internal sealed class RecordSchema
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "title", "description", "$defs"];

    private static readonly Lazy<RecordSchema> Loaded = new(() =>
        new RecordSchema(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "record-format.schema.json"))));

    private readonly JsonElement _root;

    public RecordSchema(string schemaJson)
    {
        _root = JsonDocument.Parse(schemaJson).RootElement.Clone();
    }

    /// <summary>The record format's schema.</summary>
    public static RecordSchema Records => Loaded.Value;

    public JsonElement Root => _root;

    /// <summary>The reasons <paramref name="json"/> does not match, empty when it does.</summary>
    public IReadOnlyList<string> Errors(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var errors = new List<string>();
        Evaluate(_root, document.RootElement, "$", errors);
        return errors;
    }

    /// <summary>Fails the test, with the reasons, when <paramref name="json"/> does not match.</summary>
    public void AssertValid(string json)
    {
        IReadOnlyList<string> errors = Errors(json);
        Assert.True(errors.Count == 0, $"Not valid against the record schema: {string.Join("; ", errors)}\n{json}");
    }

    private void Evaluate(JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{at}: not allowed");
            return;
        }

        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            JsonElement k = keyword.Value;
            switch (keyword.Name)
            {
                case var name when Annotations.Contains(name):
                    break;
                case "$ref":
                    Evaluate(Resolve(k.GetString()!), value, at, errors);
                    break;
                case "oneOf":
                {
                    int matches = 0;
                    var all = new List<string>();
                    foreach (JsonElement option in k.EnumerateArray())
                    {
                        var optionErrors = new List<string>();
                        Evaluate(option, value, at, optionErrors);
                        if (optionErrors.Count == 0)
                        {
                            matches++;
                        }

                        all.AddRange(optionErrors);
                    }

                    if (matches != 1)
                    {
                        errors.Add($"{at}: matches {matches} of oneOf, not 1 ({string.Join("; ", all)})");
                    }

                    break;
                }

                case "type":
                {
                    IEnumerable<string> types = k.ValueKind == JsonValueKind.Array
                        ? k.EnumerateArray().Select(t => t.GetString()!)
                        : [k.GetString()!];
                    if (!types.Any(t => HasType(value, t)))
                    {
                        errors.Add($"{at}: {value.ValueKind} is not {k}");
                    }

                    break;
                }

                case "const":
                    if (!JsonElement.DeepEquals(k, value))
                    {
                        errors.Add($"{at}: {value} is not {k}");
                    }

                    break;
                case "enum":
                    if (!k.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
                    {
                        errors.Add($"{at}: {value} is not one of {k}");
                    }

                    break;
                case "pattern":
                    if (value.ValueKind == JsonValueKind.String && !Regex.IsMatch(value.GetString()!, k.GetString()!))
                    {
                        errors.Add($"{at}: '{value.GetString()}' does not match {k.GetString()}");
                    }

                    break;
                case "minimum":
                    if (value.ValueKind == JsonValueKind.Number && value.GetDouble() < k.GetDouble())
                    {
                        errors.Add($"{at}: {value} is below {k}");
                    }

                    break;
                case "required":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonElement name in k.EnumerateArray())
                        {
                            if (!value.TryGetProperty(name.GetString()!, out _))
                            {
                                errors.Add($"{at}: '{name.GetString()}' is missing");
                            }
                        }
                    }

                    break;
                case "properties":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty property in value.EnumerateObject())
                        {
                            if (k.TryGetProperty(property.Name, out JsonElement propertySchema))
                            {
                                Evaluate(propertySchema, property.Value, $"{at}.{property.Name}", errors);
                            }
                        }
                    }

                    break;
                case "additionalProperties":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        bool hasProperties = schema.TryGetProperty("properties", out JsonElement declared);
                        foreach (JsonProperty property in value.EnumerateObject())
                        {
                            if (!hasProperties || !declared.TryGetProperty(property.Name, out _))
                            {
                                Evaluate(k, property.Value, $"{at}.{property.Name}", errors);
                            }
                        }
                    }

                    break;
                case "dependentRequired":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty dependency in k.EnumerateObject())
                        {
                            if (!value.TryGetProperty(dependency.Name, out _))
                            {
                                continue;
                            }

                            foreach (JsonElement needed in dependency.Value.EnumerateArray())
                            {
                                if (!value.TryGetProperty(needed.GetString()!, out _))
                                {
                                    errors.Add($"{at}: '{dependency.Name}' needs '{needed.GetString()}'");
                                }
                            }
                        }
                    }

                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        int i = 0;
                        foreach (JsonElement item in value.EnumerateArray())
                        {
                            Evaluate(k, item, $"{at}[{i++}]", errors);
                        }
                    }

                    break;
                default:
                    throw new NotSupportedException($"The test's schema evaluator does not know the keyword '{keyword.Name}': extend RecordSchema.");
            }
        }
    }

    private JsonElement Resolve(string reference)
    {
        const string Prefix = "#/$defs/";
        if (!reference.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local '#/$defs/...' references are supported, not '{reference}'.");
        }

        return _root.GetProperty("$defs").GetProperty(reference[Prefix.Length..]);
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && double.IsInteger(value.GetDouble()),
        _ => throw new NotSupportedException($"Unknown JSON Schema type '{type}'."),
    };
}

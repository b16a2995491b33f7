namespace StatProf.Sampler.Monitoring;

/// <summary>
/// Removes secrets from what records say about requests: query-string values, and the values of
/// sensitive keys (headers such as <c>Authorization</c> and <c>Cookie</c>, tags, query keys).
/// Runs only for slow requests, when their records are made, never on the request's path.
/// </summary>
internal sealed class Redactor
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "REDACTED";

    private readonly HashSet<string> _sensitiveKeys;
    private readonly HashSet<string> _visibleQueryKeys;
    private readonly bool _redactQueryValues;

    public Redactor(RedactionOptions options)
    {
        _sensitiveKeys = new HashSet<string>(options.SensitiveKeys, StringComparer.OrdinalIgnoreCase);
        _visibleQueryKeys = new HashSet<string>(options.VisibleQueryKeys, StringComparer.OrdinalIgnoreCase);
        _redactQueryValues = options.RedactQueryValues;
    }

    /// <summary>
    /// Masks the query-string values of a request name such as <c>GET /orders/42?token=abc&amp;page=2</c>
    /// (all values by default; sensitive keys always, even when values are otherwise visible).
    /// </summary>
    public string RedactName(string name)
    {
        int query = name.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return name;
        }

        int fragment = name.IndexOf('#', query);
        string tail = fragment < 0 ? string.Empty : name[fragment..];
        string queryText = fragment < 0 ? name[(query + 1)..] : name[(query + 1)..fragment];
        var parts = queryText.Split('&');
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? part : part[..eq];
            if (eq < 0)
            {
                continue; // a bare key carries no value
            }

            string decodedKey = Uri.UnescapeDataString(key.Replace('+', ' '));
            bool hide = _sensitiveKeys.Contains(decodedKey) || (_redactQueryValues && !_visibleQueryKeys.Contains(decodedKey));
            if (hide)
            {
                parts[i] = key + "=" + Mask;
            }
        }

        return name[..(query + 1)] + string.Join('&', parts) + tail;
    }

    /// <summary>Masks the value of a sensitive key; other values pass unchanged.</summary>
    public string RedactValue(string key, string value) => _sensitiveKeys.Contains(key) ? Mask : value;
}

using System.Text;
using StatProf.Analysis.Internal.Aggregation;

namespace StatProf.Analysis.Internal.Reading;

/// <summary>
/// One string instance per distinct UTF-8 value for low-cardinality fields (request kinds, outcomes,
/// error types, tag keys and values): thousands of requests share a handful of strings. Bounded:
/// past <see cref="MaxEntries"/> values it decodes without pooling.
/// </summary>
internal sealed class Utf8StringPool
{
    public const int MaxEntries = 100_000;

    private readonly SpanInterner<byte> _keys = new();
    private readonly List<string> _strings = [];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        int id = _keys.Find(utf8);
        if (id >= 0)
        {
            return _strings[id];
        }

        string value = Encoding.UTF8.GetString(utf8);
        if (_strings.Count < MaxEntries)
        {
            _keys.Intern(utf8);
            _strings.Add(value);
        }

        return value;
    }
}

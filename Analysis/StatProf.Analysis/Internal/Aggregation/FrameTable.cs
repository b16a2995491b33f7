using System.Text;

namespace StatProf.Analysis.Internal.Aggregation;

/// <summary>
/// Frame names interned by their UTF-8 bytes: one id per method identity (the frame's name). The
/// module of a name's first appearance is kept alongside. Known names are found without allocating.
/// </summary>
internal sealed class FrameTable
{
    private readonly SpanInterner<byte> _names = new();
    private readonly List<string> _strings = [];
    private readonly List<string> _modules = [];
    private readonly List<bool> _pseudo = [];

    /// <summary>Distinct frames.</summary>
    public int Count => _strings.Count;

    /// <summary>Returns the id of a UTF-8 name (valid UTF-8), adding it with its module when new.</summary>
    public int Intern(ReadOnlySpan<byte> utf8Name, ReadOnlySpan<byte> utf8Module)
    {
        int id = _names.Intern(utf8Name, out bool added);
        if (added)
        {
            string name = Encoding.UTF8.GetString(utf8Name);
            _strings.Add(name);
            _modules.Add(utf8Module.IsEmpty ? string.Empty : Encoding.UTF8.GetString(utf8Module));
            _pseudo.Add(IsPseudoName(name));
        }

        return id;
    }

    /// <summary>Returns the id of a name, adding it when new (tests and folded imports).</summary>
    public int Intern(string name, string module = "")
    {
        return Intern(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(module));
    }

    /// <summary>The frame's name: <c>Namespace.Type.Method(args)</c> or a marker such as <c>[native code]</c>.</summary>
    public string Name(int id) => _strings[id];

    /// <summary>The module of the name's first appearance, or empty.</summary>
    public string Module(int id) => _modules[id];

    /// <summary>
    /// True for the sampler's markers (<c>[native code]</c>, <c>[truncated]</c>,
    /// <c>[stack table full]</c>, any bracketed name): they never receive boundary credit.
    /// </summary>
    public bool IsPseudo(int id) => _pseudo[id];

    private static bool IsPseudoName(string name) => name.Length >= 2 && name[0] == '[' && name[^1] == ']';
}

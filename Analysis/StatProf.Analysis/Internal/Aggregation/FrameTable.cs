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
    private readonly List<string?> _files = [];
    private readonly List<int> _lines = [];

    /// <summary>Distinct frames.</summary>
    public int Count => _strings.Count;

    /// <summary>Whether any frame has a source file and line.</summary>
    public bool HasLines { get; private set; }

    /// <summary>Returns the id of a UTF-8 name (valid UTF-8), adding it with its module when new.</summary>
    public int Intern(ReadOnlySpan<byte> utf8Name, ReadOnlySpan<byte> utf8Module) => Intern(utf8Name, utf8Module, default, 0);

    /// <summary>
    /// Returns the id of a UTF-8 name, adding it when new; the source file and line of a name's first
    /// appearance with one are kept (a method seen at several lines keeps the first: the report's
    /// tooltip names its file; <c>--by-line</c> makes each line a frame of its own).
    /// </summary>
    public int Intern(ReadOnlySpan<byte> utf8Name, ReadOnlySpan<byte> utf8Module, ReadOnlySpan<byte> utf8File, int line)
    {
        int id = _names.Intern(utf8Name, out bool added);
        if (added)
        {
            string name = Encoding.UTF8.GetString(utf8Name);
            _strings.Add(name);
            _modules.Add(utf8Module.IsEmpty ? string.Empty : Encoding.UTF8.GetString(utf8Module));
            _pseudo.Add(IsPseudoName(name));
            _files.Add(line > 0 && !utf8File.IsEmpty ? Encoding.UTF8.GetString(utf8File) : null);
            _lines.Add(line > 0 && !utf8File.IsEmpty ? line : 0);
            HasLines |= line > 0 && !utf8File.IsEmpty;
        }
        else if (line > 0 && _files[id] is null && !utf8File.IsEmpty)
        {
            _files[id] = Encoding.UTF8.GetString(utf8File);
            _lines[id] = line;
            HasLines = true;
        }

        return id;
    }

    /// <summary>The source file of the frame's first appearance with one, or null.</summary>
    public string? File(int id) => _files[id];

    /// <summary>The line that went with <see cref="File"/>, or 0.</summary>
    public int Line(int id) => _lines[id];

    /// <summary>
    /// The frame's method: its name without the <c> in File:line N</c> a by-line read
    /// (<see cref="RecordReaderOptions.ByLine"/>) appends; the name itself for any other frame.
    /// </summary>
    public string MethodName(int id)
    {
        string name = _strings[id];
        if (_files[id] is not { } file)
        {
            return name;
        }

        string suffix = " in " + file + ":line " + _lines[id].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : name;
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

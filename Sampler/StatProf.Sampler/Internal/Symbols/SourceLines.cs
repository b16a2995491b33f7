using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace StatProf.Sampler.Internal.Symbols;

/// <summary>
/// IL offset → source file and line, read from portable PDBs with System.Reflection.Metadata: the
/// PDB embedded in the assembly, the one its debug directory names, the one next to it, or one in
/// a configured symbol directory. Each module's PDB is opened once, on first use, and kept open;
/// each (method, IL offset) is resolved once and cached. Thread-safe (one lock: resolution is
/// rare, on writer and CLI threads, never on the sampler thread).
/// </summary>
/// <remarks>
/// Windows (non-portable) PDBs are not read: such a module counts as one without symbols. The
/// caches are bounded: at most <see cref="MaxModules"/> modules and <see cref="MaxLocations"/>
/// resolved locations; past that, lookups still work but are not remembered.
/// </remarks>
internal sealed class SourceLines : IDisposable
{
    /// <summary>Modules whose symbols (or their absence) are remembered.</summary>
    public const int MaxModules = 4096;

    /// <summary>(method, IL offset) pairs whose location is remembered, over all modules.</summary>
    public const int MaxLocations = 200_000;

    private readonly object _lock = new();
    private readonly IReadOnlyList<string> _symbolDirectories;
    private readonly Dictionary<string, ModuleSymbols?> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Module, int Token, int IL), SourceLocation?> _locations = new();
    private readonly List<string> _withoutSymbols = [];
    private int _noticesTaken;

    /// <param name="symbolDirectories">Directories searched for <c>Name.pdb</c> after the assembly's own directory.</param>
    public SourceLines(IReadOnlyList<string>? symbolDirectories = null)
    {
        _symbolDirectories = symbolDirectories ?? [];
    }

    /// <summary>PDB files opened so far (for tests and benchmarks).</summary>
    public int ModulesOpened
    {
        get
        {
            lock (_lock)
            {
                return _modules.Values.Count(m => m is not null);
            }
        }
    }

    /// <summary>
    /// The file and line of an IL offset in a method, or null when the module has no portable PDB,
    /// the method has no sequence points (compiler-generated), or the input is not valid.
    /// </summary>
    /// <param name="modulePath">The assembly's file path.</param>
    /// <param name="methodToken">The method's metadata token (0x06xxxxxx).</param>
    /// <param name="ilOffset">The IL offset; negative means unknown.</param>
    public SourceLocation? Resolve(string? modulePath, int methodToken, int ilOffset)
    {
        if (string.IsNullOrEmpty(modulePath) || ilOffset < 0 || (methodToken >> 24) != 0x06 || (methodToken & 0xFFFFFF) == 0)
        {
            return null;
        }

        lock (_lock)
        {
            var key = (modulePath, methodToken, ilOffset);
            if (_locations.TryGetValue(key, out SourceLocation? known))
            {
                return known;
            }

            ModuleSymbols? symbols = Module(modulePath);
            SourceLocation? location = symbols?.Find(methodToken, ilOffset);
            if (_locations.Count < MaxLocations)
            {
                _locations[key] = location;
            }

            return location;
        }
    }

    /// <summary>True when the module's portable PDB was found (opens it on first call).</summary>
    public bool HasSymbols(string? modulePath)
    {
        if (string.IsNullOrEmpty(modulePath))
        {
            return false;
        }

        lock (_lock)
        {
            return Module(modulePath) is not null;
        }
    }

    /// <summary>
    /// Modules looked up without symbols since the last call (each module once over the resolver's
    /// life): what a notice "lines unavailable for module M" should name.
    /// </summary>
    public IReadOnlyList<string> TakeNewModulesWithoutSymbols()
    {
        lock (_lock)
        {
            if (_noticesTaken == _withoutSymbols.Count)
            {
                return [];
            }

            var fresh = _withoutSymbols.GetRange(_noticesTaken, _withoutSymbols.Count - _noticesTaken);
            _noticesTaken = _withoutSymbols.Count;
            return fresh;
        }
    }

    /// <summary>
    /// The notice for modules without symbols, or null when there is none to give. The runtime's
    /// own assemblies are left out: their PDBs are on Microsoft's symbol server, never next to them,
    /// so saying so in every file would be noise (docs/source-lines.md says it once).
    /// </summary>
    public static string? NoticeFor(IReadOnlyList<string> modules)
    {
        List<string> named = [.. modules.Where(m => !IsRuntimeAssembly(m))];
        return named.Count == 0 ? null : Notice(named);
    }

    /// <summary>True for an assembly of an installed shared framework (…/shared/Microsoft.NETCore.App/10.0.12/…).</summary>
    public static bool IsRuntimeAssembly(string modulePath)
    {
        string? directory = Path.GetDirectoryName(Path.GetDirectoryName(modulePath));
        return directory is not null && Path.GetFileName(Path.GetDirectoryName(directory)) == "shared" && Path.GetFileName(directory).StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    /// <summary>
    /// The file as it is on disk: <paramref name="path"/> itself when it exists, else the one file
    /// whose path equals it ignoring case, else <paramref name="path"/>. TraceEvent's real-time
    /// TraceLog can hand out a module's path lower-cased (it compares paths as Windows does; seen
    /// on the second session of a process, measured with 4.0.0 on Linux), which a case-sensitive
    /// file system does not find. One directory listing per path component, done once per module.
    /// </summary>
    public static string OnDisk(string path)
    {
        try
        {
            if (File.Exists(path) || !Path.IsPathFullyQualified(path))
            {
                return path;
            }

            string? root = Path.GetPathRoot(path);
            if (string.IsNullOrEmpty(root))
            {
                return path;
            }

            string current = root;
            string[] parts = path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < parts.Length; i++)
            {
                string exact = Path.Combine(current, parts[i]);
                bool last = i == parts.Length - 1;
                if (last ? File.Exists(exact) : Directory.Exists(exact))
                {
                    current = exact;
                    continue;
                }

                IEnumerable<string> entries = last ? Directory.EnumerateFiles(current) : Directory.EnumerateDirectories(current);
                string[] matches = [.. entries.Where(e => string.Equals(Path.GetFileName(e), parts[i], StringComparison.OrdinalIgnoreCase)).Take(2)];
                if (matches.Length != 1)
                {
                    return path; // none, or two that differ only in case: no guess
                }

                current = matches[0];
            }

            return current;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return path;
        }
    }

    /// <summary>The text of the notice for modules without symbols.</summary>
    public static string Notice(IReadOnlyList<string> modules) =>
        $"source lines unavailable for module{(modules.Count == 1 ? string.Empty : "s")} {string.Join(", ", modules.Select(Path.GetFileNameWithoutExtension))}: no portable PDB found (embedded, next to the assembly, or in a symbol directory); frames keep their method names";

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (ModuleSymbols? module in _modules.Values)
            {
                module?.Dispose();
            }

            _modules.Clear();
            _locations.Clear();
        }
    }

    private ModuleSymbols? Module(string modulePath)
    {
        if (_modules.TryGetValue(modulePath, out ModuleSymbols? symbols))
        {
            return symbols;
        }

        symbols = ModuleSymbols.Open(modulePath, _symbolDirectories);
        if (_modules.Count < MaxModules)
        {
            _modules[modulePath] = symbols;
            if (symbols is null)
            {
                _withoutSymbols.Add(modulePath);
            }
        }

        return symbols;
    }

    /// <summary>One module's open portable PDB.</summary>
    private sealed class ModuleSymbols : IDisposable
    {
        private readonly MetadataReaderProvider _provider;
        private readonly MetadataReader _reader;
        private readonly Dictionary<DocumentHandle, string> _documents = new();

        private ModuleSymbols(MetadataReaderProvider provider)
        {
            _provider = provider;
            _reader = provider.GetMetadataReader();
        }

        public static ModuleSymbols? Open(string modulePath, IReadOnlyList<string> symbolDirectories)
        {
            try
            {
                modulePath = OnDisk(modulePath);
                if (!File.Exists(modulePath))
                {
                    return null;
                }

                using var peStream = File.OpenRead(modulePath);
                using var pe = new PEReader(peStream);
                if (TryOpen(pe, modulePath) is { } provider)
                {
                    return new ModuleSymbols(provider);
                }

                // A symbol directory: the PDB under the assembly's own file name there.
                foreach (string directory in symbolDirectories)
                {
                    if (TryOpen(pe, Path.Combine(directory, Path.GetFileName(modulePath))) is { } found)
                    {
                        return new ModuleSymbols(found);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
            {
                // Unreadable module or PDB: the module has no lines, its frames keep their names.
            }

            return null;
        }

        private static MetadataReaderProvider? TryOpen(PEReader pe, string peImagePath)
        {
            // Embedded PDB first, then the debug directory's path, then next to peImagePath; the
            // PDB's id must match the assembly's (a stale PDB would give wrong lines).
            bool opened = pe.TryOpenAssociatedPortablePdb(
                peImagePath,
                path => File.Exists(path) ? File.OpenRead(path) : null,
                out MetadataReaderProvider? provider,
                out _);
            return opened ? provider : null;
        }

        public SourceLocation? Find(int methodToken, int ilOffset)
        {
            try
            {
                int row = methodToken & 0xFFFFFF;
                if (row > _reader.MethodDebugInformation.Count)
                {
                    return null;
                }

                MethodDebugInformation info = _reader.GetMethodDebugInformation(MetadataTokens.MethodDebugInformationHandle(row));
                SequencePoint? best = null;
                SequencePoint? first = null;
                foreach (SequencePoint point in info.GetSequencePoints())
                {
                    if (point.IsHidden)
                    {
                        continue;
                    }

                    first ??= point;
                    if (point.Offset > ilOffset)
                    {
                        break;
                    }

                    best = point;
                }

                // An offset before the first visible point (the prolog) belongs to the method's first line.
                SequencePoint? chosen = best ?? first;
                if (chosen is not { } p)
                {
                    return null;
                }

                if (!_documents.TryGetValue(p.Document, out string? file))
                {
                    file = _reader.GetString(_reader.GetDocument(p.Document).Name);
                    _documents[p.Document] = file;
                }

                return new SourceLocation(file, p.StartLine);
            }
            catch (BadImageFormatException)
            {
                return null;
            }
        }

        public void Dispose() => _provider.Dispose();
    }
}

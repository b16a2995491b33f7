using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.Runtime;
using StatProf.Sampler.Internal.Symbols;

namespace StatProf.Cli.Dump;

/// <summary>
/// Takes a <see cref="ThreadDump"/> of another process with ClrMD: attaches with the process
/// suspended, reads every managed thread's frames, stack roots (for HTTP requests) and the sync
/// blocks (for lock owners), detaches, and reports how long the target was paused. Everything that
/// can be read without the pause (thread names and states from /proc) is read before it, and all
/// formatting happens after it. ClrMD cannot attach to its own process.
/// </summary>
internal static class ThreadDumper
{
    private const string HttpProtocolType = "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol";
    private const string DefaultHttpContextType = "Microsoft.AspNetCore.Http.DefaultHttpContext";

    /// <summary>
    /// The .NET 9+ lock type. Its owner is the field <c>_owningThreadId</c> (uint, 0 when free): the
    /// owner's OS thread id on CoreCLR (measured on 10.0.12: the main thread's is the process id),
    /// the managed id on other runtimes; both are matched.
    /// </summary>
    private const string LockType = "System.Threading.Lock";

    /// <summary>Kestrel's <c>HttpMethod</c> enum, by value.</summary>
    private static readonly string[] KestrelMethods = ["GET", "PUT", "DELETE", "POST", "HEAD", "TRACE", "PATCH", "CONNECT", "OPTIONS"];

    /// <summary>Dumps the threads of process <paramref name="pid"/>.</summary>
    /// <param name="pid">The target process.</param>
    /// <param name="whilePaused">Called once attached, with the target paused (tests use it to end the target mid-dump).</param>
    /// <exception cref="DumpTargetException">The target cannot be dumped; the message says why in one line.</exception>
    public static ThreadDump Dump(int pid, Action? whilePaused = null)
    {
        if (pid == Environment.ProcessId)
        {
            throw new DumpTargetException($"process {pid} is statprof itself: dump another process.");
        }

        string processName = ProcessName(pid) ?? throw new DumpTargetException($"no process with id {pid}.");
        var osThreads = OsThreads(pid);
        if (IsSurelyNotDotnet(pid))
        {
            // Told before any ptrace attach: a non-.NET process is never paused by statprof.
            throw new DumpTargetException($"process {pid} ({processName}) is not a .NET process: no .NET runtime is loaded in it.");
        }

        Warm(pid);

        // A pause can catch the runtime mid-way through changing its own structures (a thread being
        // created, a method being jitted): ClrMD then fails with a NullReferenceException. That
        // state is gone a moment later, so the read is tried again, up to three times.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return Read(pid, processName, osThreads, whilePaused);
            }
            catch (TransientReadException) when (attempt < 3)
            {
                Thread.Sleep(50);
            }
            catch (TransientReadException ex)
            {
                throw new DumpTargetException($"cannot read process {pid} ({processName}): {OneLine(ex.InnerException!.Message)}");
            }
        }
    }

    private static ThreadDump Read(int pid, string processName, Dictionary<int, (string Name, char State)> osThreads, Action? whilePaused)
    {
        var pause = Stopwatch.StartNew();
        DataTarget target;
        try
        {
            target = DataTarget.AttachToProcess(pid, suspend: true);
        }
        catch (Exception ex) when (ex is not DumpTargetException)
        {
            throw AttachFailure(pid, processName, ex);
        }

        List<RawThread> raw;
        string version;
        try
        {
            whilePaused?.Invoke();
            if (target.ClrVersions.Length == 0)
            {
                throw new DumpTargetException(IsAlive(pid)
                    ? $"process {pid} ({processName}) is not a .NET process: no .NET runtime is loaded in it."
                    : $"process {pid} ({processName}) exited during the dump.");
            }

            ClrInfo clr = target.ClrVersions[0];
            version = RuntimeVersion(clr);
            using ClrRuntime runtime = clr.CreateRuntime();
            raw = ReadThreads(runtime, walkStacks: true);
        }
        catch (NullReferenceException ex) when (IsAlive(pid))
        {
            throw new TransientReadException(ex);
        }
        catch (Exception ex) when (ex is not DumpTargetException)
        {
            throw IsAlive(pid)
                ? new DumpTargetException($"cannot read process {pid} ({processName}): {OneLine(ex.Message)}")
                : new DumpTargetException($"process {pid} ({processName}) exited during the dump.");
        }
        finally
        {
            target.Dispose();
            pause.Stop();
        }

        if (!IsAlive(pid))
        {
            throw new DumpTargetException($"process {pid} ({processName}) exited during the dump.");
        }

        // Source lines after the pause: the PDBs are read with the target running again.
        using var lines = new SourceLines();
        FillMissingOffsets(pid, raw);
        var threads = raw.Select(t => Snapshot(t, osThreads, lines)).ToList();
        return new ThreadDump(pid, processName, version, pause.Elapsed.TotalMilliseconds, threads);
    }

    /// <summary>
    /// Reads the runtime once on the running (not suspended) target, without walking stacks, and
    /// throws the result away: this loads the runtime's data access library and compiles most of
    /// ClrMD's code before the pause (measured: about 700 ms cold, see docs/cli-dump.md).
    /// Whatever fails here (the target is not .NET, not ours, racing) is left to the real pass to report.
    /// </summary>
    private static void Warm(int pid)
    {
        try
        {
            using DataTarget target = DataTarget.AttachToProcess(pid, suspend: false);
            if (target.ClrVersions.Length > 0)
            {
                using ClrRuntime runtime = target.ClrVersions[0].CreateRuntime();
                ReadThreads(runtime, walkStacks: false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // the suspended pass reports what is wrong
        }
    }

    /// <summary>The runtime version from the runtime's folder (…/Microsoft.NETCore.App/10.0.12/libcoreclr.so), else ClrMD's.</summary>
    private static string RuntimeVersion(ClrInfo clr)
    {
        string? folder = Path.GetFileName(Path.GetDirectoryName(clr.ModuleInfo.FileName));
        return folder is not null && Version.TryParse(folder.Split('-')[0], out _) ? folder : clr.Version.ToString();
    }

    private static ThreadSnapshot Snapshot(RawThread thread, Dictionary<int, (string Name, char State)> osThreads, SourceLines lines)
    {
        osThreads.TryGetValue(thread.OsId, out var os);
        bool poolWorker = WaitClassifier.IsThreadPoolWorker(thread.Frames);
        var blocked = WaitClassifier.Classify(thread.Frames, poolWorker);
        BlockInfo? blockedOn = blocked is { } b
            ? new BlockInfo(b.Kind, b.Frame, b.Kind == BlockKind.Lock ? thread.LockOwnerOsId : null, b.Kind == BlockKind.Lock ? thread.LockOwnerManagedId : null)
            : null;

        // The frames say "waiting" for a known wait; else the OS state read just before the pause
        // does (R running; S/D asleep in the kernel, e.g. a native wait).
        bool waiting = blockedOn is not null || WaitClassifier.IsWaiting(thread.Frames) || (os.State != '\0' && os.State != 'R');
        string? name = thread.ManagedName ?? (string.IsNullOrEmpty(os.Name) ? null : os.Name);
        return new ThreadSnapshot(
            thread.OsId,
            thread.ManagedId,
            name,
            waiting ? ThreadState.Waiting : ThreadState.Running,
            thread.Request,
            blockedOn,
            thread.Frames,
            poolWorker,
            LinesOf(thread, lines));
    }

    /// <summary>Each frame's file and line where a portable PDB gives it, aligned with the frames (null elsewhere).</summary>
    private static SourceLocation?[] LinesOf(RawThread thread, SourceLines lines)
    {
        var located = new SourceLocation?[thread.Frames.Count];
        if (thread.Spots.Count == thread.Frames.Count)
        {
            for (int i = 0; i < located.Length; i++)
            {
                var (module, token, il, _) = thread.Spots[i];
                located[i] = lines.Resolve(module, token, il);
            }
        }

        return located;
    }

    /// <summary>
    /// Where a managed frame is in its method. A caller frame's instruction pointer is a return
    /// address: the byte before it is the call's (so its line is the call's, not the next statement's).
    /// </summary>
    /// <remarks>
    /// ClrMD's map is the one of the method's first code body: for a frame in a later tier (tier 1,
    /// OSR) the address lies outside it and <c>GetILOffset</c> answers 0, the method's first line
    /// (measured with ClrMD 4.1 on .NET 10). Such frames are left at -1 here and resolved after the
    /// pause from the runtime's own maps of every body (<see cref="FillMissingOffsets"/>).
    /// </remarks>
    private static (string? Module, int Token, int IL, ulong At) Spot(ClrStackFrame frame, bool isReturnAddress)
    {
        ClrMethod? method = frame.Method;
        if (frame.Kind != ClrStackFrameKind.ManagedMethod || method is null || frame.InstructionPointer == 0)
        {
            return (null, 0, -1, 0);
        }

        ulong ip = isReturnAddress ? frame.InstructionPointer - 1 : frame.InstructionPointer;
        try
        {
            int il = -1;
            foreach (ILToNativeMap entry in method.ILOffsetMap)
            {
                if (entry.StartAddress <= ip && ip <= entry.EndAddress && entry.ILOffset >= 0)
                {
                    il = entry.ILOffset;
                    break;
                }
            }

            return (method.Type?.Module?.Name, (int)method.MetadataToken, il, ip);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (null, 0, -1, 0); // a torn map: the frame keeps its name
        }
    }

    /// <summary>
    /// IL offsets ClrMD's maps did not cover, from a rundown of the target's IL-to-native maps (every
    /// code body, every tier), run once the target runs again. Without diagnostics IPC (or when the
    /// rundown fails) those frames keep their names only.
    /// </summary>
    private static void FillMissingOffsets(int pid, List<RawThread> threads)
    {
        if (!threads.Any(t => t.Spots.Any(s => s.Token != 0 && s.IL < 0 && s.At != 0)))
        {
            return;
        }

        var maps = new NativeCodeMaps();
        try
        {
            if (!RundownMaps.Collect(new Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient(pid), maps, TimeSpan.FromSeconds(10)))
            {
                return;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return;
        }

        foreach (RawThread thread in threads)
        {
            for (int i = 0; i < thread.Spots.Count; i++)
            {
                var (module, token, il, at) = thread.Spots[i];
                if (token != 0 && il < 0 && at != 0)
                {
                    // At is already the byte before a return address: look it up as it is.
                    thread.Spots[i] = (module, token, maps.ILOffset(at, isReturnAddress: false), at);
                }
            }
        }
    }

    private sealed record RawThread(int OsId, int ManagedId, string? ManagedName, IReadOnlyList<string> Frames, HttpRequestInfo? Request, int? LockOwnerOsId, int? LockOwnerManagedId)
    {
        /// <summary>Per frame: module path, method token, IL offset (-1 unknown), the address looked up, for source lines.</summary>
        public List<(string? Module, int Token, int IL, ulong At)> Spots { get; init; } = [];
    }

    /// <param name="runtime">The target's runtime.</param>
    /// <param name="walkStacks">Walk stacks and stack roots: only with the target suspended (on running threads the runtime's data access library reads torn frames and can crash statprof).</param>
    private static List<RawThread> ReadThreads(ClrRuntime runtime, bool walkStacks)
    {
        var names = ManagedThreadNames(runtime);
        var byAddress = runtime.Threads.Where(t => t.Address != 0).GroupBy(t => t.Address).ToDictionary(g => g.Key, g => g.First());

        // Held monitors with waiters: object address → owner thread.
        var heldLocks = new Dictionary<ulong, ClrThread>();
        foreach (SyncBlock sync in runtime.Heap.EnumerateSyncBlocks())
        {
            if (sync.IsMonitorHeld && byAddress.TryGetValue(sync.HoldingThreadAddress, out var owner))
            {
                heldLocks[sync.Object] = owner;
            }
        }

        var result = new List<RawThread>();
        foreach (ClrThread thread in runtime.Threads)
        {
            if (!thread.IsAlive || thread.OSThreadId == 0 || !walkStacks)
            {
                continue;
            }

            var frames = new List<string>();
            var spots = new List<(string? Module, int Token, int IL, ulong At)>();
            foreach (ClrStackFrame frame in thread.EnumerateStackTrace(includeContext: false, maxFrames: 1024))
            {
                spots.Add(Spot(frame, isReturnAddress: frames.Count > 0));
                frames.Add(FrameName(frame));
            }

            HttpRequestInfo? request = null;
            ClrThread? lockOwner = null;
            foreach (ClrStackRoot root in thread.EnumerateStackRoots())
            {
                ClrObject obj = root.Object;
                if (!obj.IsValid || obj.Type is null)
                {
                    continue;
                }

                request ??= TryRequestOf(obj);
                if (lockOwner is null && heldLocks.TryGetValue(obj.Address, out var owner) && owner.Address != thread.Address)
                {
                    lockOwner = owner;
                }

                if (lockOwner is null && obj.Type.Name == LockType && LockObjectOwner(runtime, obj) is { } lockObjectOwner && lockObjectOwner.Address != thread.Address)
                {
                    lockOwner = lockObjectOwner;
                }
            }

            // A lock a thread waits for is not always among its own roots: with one held monitor
            // that another thread owns, that is the one.
            if (lockOwner is null && heldLocks.Count > 0)
            {
                var others = heldLocks.Values.Where(o => o.Address != thread.Address).Distinct().ToList();
                if (others.Count == 1 && heldLocks.Count == 1)
                {
                    lockOwner = others[0];
                }
            }

            names.TryGetValue(thread.ManagedThreadId, out string? managedName);
            result.Add(new RawThread(
                (int)thread.OSThreadId,
                thread.ManagedThreadId,
                managedName,
                frames,
                request,
                lockOwner is null ? null : (int)lockOwner.OSThreadId,
                lockOwner?.ManagedThreadId) { Spots = spots });
        }

        return result;
    }

    /// <summary>The thread that holds a <c>System.Threading.Lock</c>, or <c>null</c> when it is free or unknown.</summary>
    private static ClrThread? LockObjectOwner(ClrRuntime runtime, ClrObject lockObject)
    {
        try
        {
            uint owner = lockObject.ReadField<uint>("_owningThreadId");
            if (owner == 0)
            {
                return null;
            }

            return runtime.Threads.FirstOrDefault(t => t.IsAlive && t.OSThreadId == owner)
                ?? runtime.Threads.FirstOrDefault(t => t.IsAlive && t.ManagedThreadId == (int)owner);
        }
        catch (Exception ex) when (ex is ArgumentException or NullReferenceException or InvalidOperationException)
        {
            return null; // another shape of Lock, or one ClrMD cannot read whole: no owner to tell
        }
    }

    /// <summary>Managed thread names, from the Thread objects the runtime's handles keep alive (no heap walk).</summary>
    private static Dictionary<int, string> ManagedThreadNames(ClrRuntime runtime)
    {
        var names = new Dictionary<int, string>();
        foreach (ClrHandle handle in runtime.EnumerateHandles())
        {
            ClrObject obj = handle.Object;
            if (!obj.IsValid || obj.Type?.Name != "System.Threading.Thread")
            {
                continue;
            }

            int id = obj.ReadField<int>("_managedThreadId");
            string? name = obj.ReadStringField("_name");
            if (id != 0 && !string.IsNullOrEmpty(name))
            {
                names[id] = name;
            }
        }

        return names;
    }

    /// <summary>
    /// <see cref="RequestOf"/>, or <c>null</c> for an object ClrMD cannot read whole: a stack slot
    /// may hold an object being built (a connection not yet initialized), whose fields or type data
    /// ClrMD then fails on; one unreadable root must not lose the whole dump.
    /// </summary>
    private static HttpRequestInfo? TryRequestOf(ClrObject obj)
    {
        try
        {
            return RequestOf(obj);
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The request of a Kestrel connection (HttpProtocol: Http1Connection, Http2Stream, ...) or of a DefaultHttpContext.</summary>
    private static HttpRequestInfo? RequestOf(ClrObject obj)
    {
        ClrType type = obj.Type!;
        if (type.Name == DefaultHttpContextType)
        {
            ClrInstanceField? features = type.GetFieldByName("_features");
            if (features is null)
            {
                return null;
            }

            ClrObject collection = obj.ReadValueTypeField(features).ReadObjectField("<Collection>k__BackingField");
            return collection.IsValid && collection.Type is not null && DerivesFrom(collection.Type, HttpProtocolType) ? ProtocolRequest(collection) : null;
        }

        return DerivesFrom(type, HttpProtocolType) ? ProtocolRequest(obj) : null;
    }

    private static HttpRequestInfo? ProtocolRequest(ClrObject protocol)
    {
        string? path = protocol.ReadStringField("<Path>k__BackingField");
        if (string.IsNullOrEmpty(path))
        {
            return null; // between requests on a kept-alive connection
        }

        string? method = protocol.Type!.GetFieldByName("_methodText") is not null ? protocol.ReadStringField("_methodText") : null;
        if (string.IsNullOrEmpty(method))
        {
            byte value = protocol.ReadField<byte>("<Method>k__BackingField");
            method = value < KestrelMethods.Length ? KestrelMethods[value] : "?";
        }

        return new HttpRequestInfo(method, path);
    }

    private static bool DerivesFrom(ClrType type, string baseName)
    {
        for (ClrType? t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == baseName)
            {
                return true;
            }
        }

        return false;
    }

    private static string FrameName(ClrStackFrame frame)
    {
        ClrMethod? method = frame.Method;
        if (frame.Kind != ClrStackFrameKind.ManagedMethod || method is null)
        {
            return $"[{frame.FrameName ?? "native"}]";
        }

        // Generic instantiations stay in the type name (Task<System.Int32>) but not in the method
        // name, where ClrMD spells them in full (Start[[..., assembly]]).
        string typeName = method.Type?.Name ?? "?";
        string methodName = method.Name ?? "?";
        int generic = methodName.IndexOf("[[", StringComparison.Ordinal);
        return $"{typeName.Replace('+', '.')}.{(generic > 0 ? methodName[..generic] : methodName)}";
    }

    /// <summary>
    /// True only when /proc says the process cannot be .NET: its memory maps (readable: same user)
    /// show no <c>libcoreclr.so</c>, no <c>doublemapper</c> mapping (CoreCLR's W^X code heap, also in a
    /// single-file app whose host embeds the runtime) and it has no diagnostic socket. Anything
    /// unreadable or unusual says "maybe": ClrMD then decides, so a real .NET app is never refused.
    /// </summary>
    internal static bool IsSurelyNotDotnet(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/maps"))
            {
                if (line.Contains("libcoreclr", StringComparison.Ordinal) || line.Contains("doublemapper", StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // another user's process, or gone: the attach reports which
        }

        return StatProf.Cli.Record.TargetProcess.Sockets(pid).Length == 0;
    }

    /// <summary>The process name from /proc, or <c>null</c> when there is no such process.</summary>
    private static string? ProcessName(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>OS thread names and states (/proc/PID/task/TID/stat) read before the pause.</summary>
    private static Dictionary<int, (string Name, char State)> OsThreads(int pid)
    {
        var threads = new Dictionary<int, (string, char)>();
        string tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return threads;
        }

        try
        {
            foreach (string dir in Directory.EnumerateDirectories(tasks))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
                {
                    continue;
                }

                try
                {
                    string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    int open = stat.IndexOf('(', StringComparison.Ordinal);
                    int close = stat.LastIndexOf(')');
                    if (open >= 0 && close > open && close + 2 < stat.Length)
                    {
                        threads[tid] = (stat[(open + 1)..close], stat[close + 2]);
                    }
                }
                catch (IOException)
                {
                    // the thread ended meanwhile
                }
            }
        }
        catch (IOException)
        {
            // the process ended meanwhile: the attach reports it
        }
        catch (UnauthorizedAccessException)
        {
            // another user's process: the attach reports it
        }

        return threads;
    }

    /// <summary>Whether the process still runs (a zombie or a missing /proc entry has ended).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            char state = close + 2 < stat.Length ? stat[close + 2] : '?';
            return state is not ('Z' or 'X' or 'x');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static DumpTargetException AttachFailure(int pid, string processName, Exception ex)
    {
        if (!IsAlive(pid))
        {
            return new DumpTargetException($"process {pid} ({processName}) exited during the dump.");
        }

        int errno = ex is ClrDiagnosticsException clr ? clr.HResult : 0;
        bool denied = ex is UnauthorizedAccessException || errno == 1 /* EPERM */ || errno == 13 /* EACCES */
            || ex.Message.Contains("errno: 1", StringComparison.Ordinal) || ex.Message.Contains("ermission", StringComparison.Ordinal);
        if (denied)
        {
            return new DumpTargetException(
                $"permission denied attaching to process {pid} ({processName}): run statprof as the process's user or as root (ptrace needs the same user, CAP_SYS_PTRACE, or kernel.yama.ptrace_scope 0).");
        }

        return new DumpTargetException($"cannot attach to process {pid} ({processName}): {OneLine(ex.Message)}");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    /// <summary>A read that failed on a transient state of the target's runtime; worth another try.</summary>
    private sealed class TransientReadException(Exception inner) : Exception(inner.Message, inner);
}

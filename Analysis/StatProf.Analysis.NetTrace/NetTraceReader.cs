using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using StatProf.Analysis.Internal.Importing;

namespace StatProf.Analysis.NetTrace;

/// <summary>
/// Imports a <c>.nettrace</c> capture (dotnet-trace, or any EventPipe session with the
/// <c>Microsoft-DotNETCore-SampleProfiler</c> provider and a rundown for method names) into a
/// <see cref="RecordReader"/>'s set, so the hot/cold analysis serves files made by other tools. Each
/// sampled thread becomes a request named <c>thread &lt;os id&gt;</c> (kind <c>thread</c>); its
/// <c>ThreadSample</c> events are added in time order with their running/waiting kind, so
/// transitions and optimization spots are computed as for StatProf's own records. Threads have no end
/// record: their duration is the span of their samples and their outcome <c>unfinished</c>. A frame whose
/// method the capture cannot name is <c>[native code]</c>. The capture is converted through
/// TraceEvent's <c>TraceLog</c> into a temporary <c>.etlx</c> file, deleted afterwards.
/// </summary>
public static class NetTraceReader
{
    private static readonly Guid SampleProfiler = new("3c530d44-97ae-513a-1e6d-783e8f8e03a9");

    /// <summary>Whether a file is a .nettrace capture (judged by its magic bytes, not its name).</summary>
    /// <param name="path">The file.</param>
    /// <returns><c>true</c> when the file starts with <c>Nettrace</c>.</returns>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static bool IsNetTrace(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Span<byte> head = stackalloc byte[8];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual("Nettrace"u8);
    }

    /// <summary>Reads a capture's thread samples into the reader's set.</summary>
    /// <param name="reader">The reader building the set.</param>
    /// <param name="path">The .nettrace file.</param>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable .nettrace capture.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static void Read(RecordReader reader, string path)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(path);
        ImportSink sink = reader.BeginImport(path);
        string etlx = Path.Combine(Path.GetTempPath(), $"statprof-{Guid.NewGuid():N}.etlx");
        try
        {
            try
            {
                TraceLog.CreateFromEventPipeDataFile(path, etlx);
            }
            catch (Exception ex) when (ex is not (IOException or UnauthorizedAccessException or OutOfMemoryException))
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} is not a readable .nettrace capture: {ex.Message}", ex);
            }

            using var log = new TraceLog(etlx);
            new ThreadSampleImport(sink, log).Run();
        }
        finally
        {
            try
            {
                File.Delete(etlx);
            }
            catch (IOException)
            {
                // Best effort: a temporary file left behind is not worth failing the read.
            }
        }

        sink.Bytes = new FileInfo(path).Length;
        reader.EndImport(sink);
    }

    /// <summary>The thread samples of one TraceLog, as requests of the set.</summary>
    private sealed class ThreadSampleImport(ImportSink sink, TraceLog log)
    {
        private readonly Dictionary<int, (Request Request, int Dumps, double FirstMs)> _threads = [];
        private readonly Dictionary<CallStackIndex, int> _stacks = [];
        private readonly List<string> _frames = [];

        public void Run()
        {
            int pid = 0;
            string processName = string.Empty;
            foreach (TraceEvent data in log.Events)
            {
                sink.Lines++;
                if (data.ProviderGuid != SampleProfiler || data.EventDataLength < sizeof(int))
                {
                    continue;
                }

                // The payload is one 32-bit value: 1 = external (outside managed code), 2 = managed.
                DumpState state = BitConverter.ToInt32(data.EventData(), 0) == 2 ? DumpState.Running : DumpState.Waiting;
                int stack = Stack(data);
                if (!_threads.TryGetValue(data.ThreadID, out var thread))
                {
                    string name = $"thread {data.ThreadID}";
                    thread = (sink.AddRequest(data.ProcessID, name, name, "thread"), 0, data.TimeStampRelativeMSec);
                }

                thread.Dumps++;
                _threads[data.ThreadID] = thread;
                thread.Request.AddSample(thread.Dumps, stack, state, data.TimeStamp.ToUniversalTime(), data.TimeStampRelativeMSec - thread.FirstMs, new ThreadRef(data.ThreadID, 0));
                sink.Samples++;
                sink.Records++;
                if (pid == 0)
                {
                    pid = data.ProcessID;
                    processName = data.ProcessName ?? string.Empty;
                }
            }

            if (pid != 0)
            {
                sink.AddProcess(new ProcessInfo(pid, processName, string.Empty, double.NaN, double.NaN, 1));
            }

            if (_threads.Count == 0)
            {
                sink.Warn($"{sink.SourceName}: no Microsoft-DotNETCore-SampleProfiler thread samples in this capture (record it with that provider, e.g. dotnet-trace's cpu-sampling profile).");
            }
        }

        private int Stack(TraceEvent data)
        {
            CallStackIndex index = data.CallStackIndex();
            if (_stacks.TryGetValue(index, out int known))
            {
                return known;
            }

            _frames.Clear();
            for (TraceCallStack? frame = data.CallStack(); frame is not null; frame = frame.Caller)
            {
                string name = frame.CodeAddress.FullMethodName;
                _frames.Add(string.IsNullOrEmpty(name) ? "[native code]" : name);
            }

            _frames.Reverse(); // root first
            int id = sink.InternStack(_frames);
            _stacks[index] = id;
            return id;
        }
    }
}

using System.Buffers.Text;
using System.Text.Unicode;
using StatProf.Analysis.Internal.Reading;

namespace StatProf.Analysis.Internal.Importing;

/// <summary>
/// Reads folded stacks (<c>root;caller;leaf count</c> lines: flamegraph.pl's and inferno's input,
/// what <c>report --format folded</c> writes) into the set as one request per source, named after the
/// file. Folded stacks have no time order and no thread state: samples are counted as running, and
/// no transition is invented, so frames get self/total counts but the hot/cold boundary credits
/// nothing (a warning in the set says so). Bad lines never stop the read; they are counted as the
/// record reader counts them: no count or a count that is not a whole number is <c>malformed</c>,
/// a line without any frame (or whose count overflows) is <c>wrongShape</c>, and oversized or
/// non-UTF-8 lines are counted as such. Empty frames (<c>a;;b</c>) are dropped.
/// </summary>
internal static class FoldedStacksReader
{
    public static void Read(Stream stream, ImportSink sink, int maxLineBytes)
    {
        Request? request = null;
        int[] frames = new int[256];
        using var lines = new LineSplitter(stream, maxLineBytes);
        try
        {
            while (lines.TryReadLine(out ReadOnlySpan<byte> line, out LineKind kind))
            {
                sink.Lines++;
                SkipReason skip = kind == LineKind.Oversized ? SkipReason.Oversized : ReadLine(line, sink, ref request, ref frames);
                if (skip == SkipReason.None)
                {
                    sink.Records++;
                }
                else if (skip != SkipReason.Count)
                {
                    sink.Skipped[(int)skip]++;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            sink.Warn($"{sink.SourceName}: reading stopped after {lines.BytesRead} bytes: {ex.Message}");
        }

        sink.Bytes = lines.BytesRead;
        if (request is not null)
        {
            sink.Warn($"{sink.SourceName}: folded stacks carry no time order: frame counts are exact, but no optimization spot (hot/cold boundary) can be computed from its {request.Samples} samples, which are counted as running.");
        }
    }

    /// <summary>Whether the first bytes of a file are folded stacks rather than JSON records.</summary>
    /// <param name="head">The file's first bytes (decompressed).</param>
    /// <param name="whole">Whether <paramref name="head"/> is the whole file.</param>
    public static bool LooksFolded(ReadOnlySpan<byte> head, bool whole)
    {
        while (!head.IsEmpty)
        {
            int newline = head.IndexOf((byte)'\n');
            bool complete = newline >= 0 || whole;
            ReadOnlySpan<byte> line = (newline >= 0 ? head[..newline] : head).Trim(" \t\r"u8);
            if (line.IsEmpty)
            {
                if (newline < 0)
                {
                    return false;
                }

                head = head[(newline + 1)..];
                continue;
            }

            if (line[0] == (byte)'{')
            {
                return false; // JSON records (or a broken one): the record reader counts what it cannot use
            }

            // A first line longer than the head cannot be judged by its count: it is not JSON, so folded it is.
            return !complete || TrySplit(line, out _, out _);
        }

        return false;
    }

    private static SkipReason ReadLine(ReadOnlySpan<byte> line, ImportSink sink, ref Request? request, ref int[] frames)
    {
        line = line.Trim(" \t\r"u8);
        if (line.IsEmpty)
        {
            return SkipReason.Count;
        }

        if (!Utf8.IsValid(line))
        {
            return SkipReason.InvalidUtf8;
        }

        if (!TrySplit(line, out ReadOnlySpan<byte> stack, out long count))
        {
            return SkipReason.Malformed;
        }

        int depth = 0;
        while (true)
        {
            int separator = stack.IndexOf((byte)';');
            ReadOnlySpan<byte> name = (separator >= 0 ? stack[..separator] : stack).Trim(" \t"u8);
            if (!name.IsEmpty)
            {
                if (depth == frames.Length)
                {
                    Array.Resize(ref frames, frames.Length * 2);
                }

                frames[depth++] = sink.Frames.Intern(name, ReadOnlySpan<byte>.Empty);
            }

            if (separator < 0)
            {
                break;
            }

            stack = stack[(separator + 1)..];
        }

        if (depth == 0)
        {
            return SkipReason.WrongShape;
        }

        request ??= sink.AddRequest(0, Path.GetFileName(sink.SourceName), Path.GetFileName(sink.SourceName), "folded");
        if (count > int.MaxValue - request.Samples)
        {
            return SkipReason.WrongShape;
        }

        if (count > 0)
        {
            request.AddUntimedSamples(sink.InternStack(frames.AsSpan(0, depth)), DumpState.Running, (int)count);
            sink.Samples += count;
        }

        return SkipReason.None;
    }

    /// <summary>Splits <c>stack count</c> at its last space or tab; the count must be a whole number.</summary>
    private static bool TrySplit(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> stack, out long count)
    {
        int space = line.LastIndexOfAny(" \t"u8);
        stack = space > 0 ? line[..space] : default;
        count = 0;
        return space > 0
            && Utf8Parser.TryParse(line[(space + 1)..], out count, out int consumed)
            && consumed == line.Length - space - 1
            && count >= 0;
    }
}

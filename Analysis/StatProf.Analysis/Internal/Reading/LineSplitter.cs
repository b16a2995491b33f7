using System.Buffers;

namespace StatProf.Analysis.Internal.Reading;

/// <summary>What <see cref="LineSplitter.TryReadLine"/> found.</summary>
internal enum LineKind
{
    /// <summary>A line ended by a newline.</summary>
    Complete,

    /// <summary>The last bytes of the stream, with no newline after them (a writer may have stopped mid-line).</summary>
    LastWithoutNewline,

    /// <summary>A line longer than the cap: its bytes were discarded as they streamed past; no content is returned.</summary>
    Oversized,
}

/// <summary>
/// Splits a stream into lines of at most a fixed number of bytes with one buffer of about that
/// size: a longer line is discarded as it streams past (never buffered whole) and reported once as
/// <see cref="LineKind.Oversized"/>. Memory is bounded by the cap, not by the file or the line.
/// </summary>
internal sealed class LineSplitter : IDisposable
{
    private const int ReadChunk = 64 * 1024;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;   // first unconsumed byte
    private int _scan;    // bytes before this index (from _start) hold no newline
    private int _end;     // end of the data read
    private bool _eof;
    private bool _skipping;

    public LineSplitter(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(maxLineBytes + ReadChunk + 2);
    }

    /// <summary>Bytes read from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>
    /// Returns the next line without its newline (and without a trailing carriage return), or
    /// false at the end of the stream. The span is valid until the next call.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line, out LineKind kind)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int lineEnd = _scan + newline;
                int lineStart = _start;
                _start = _scan = lineEnd + 1;
                line = TrimCarriageReturn(_buffer.AsSpan(lineStart, lineEnd - lineStart));
                if (_skipping || line.Length > _maxLineBytes)
                {
                    _skipping = false;
                    line = default;
                    kind = LineKind.Oversized;
                    return true;
                }

                kind = LineKind.Complete;
                return true;
            }

            _scan = _end;
            if (_skipping || _end - _start > _maxLineBytes + 1) // + 1: room for a carriage return
            {
                // Too long: drop what we hold of it and keep discarding until its newline.
                _skipping = true;
                _start = _scan = _end = 0;
            }

            if (_eof)
            {
                if (_skipping)
                {
                    _skipping = false;
                    line = default;
                    kind = LineKind.Oversized;
                    return true;
                }

                if (_start < _end)
                {
                    line = TrimCarriageReturn(_buffer.AsSpan(_start, _end - _start));
                    _start = _scan = _end;
                    kind = line.Length > _maxLineBytes ? LineKind.Oversized : LineKind.LastWithoutNewline;
                    if (kind == LineKind.Oversized)
                    {
                        line = default;
                    }

                    return true;
                }

                line = default;
                kind = default;
                return false;
            }

            Fill();
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            int held = _end - _start;
            _buffer.AsSpan(_start, held).CopyTo(_buffer);
            _scan -= _start;
            _end = held;
            _start = 0;
        }

        int room = _buffer.Length - _end;
        int read = _stream.Read(_buffer, _end, room);
        if (read <= 0)
        {
            _eof = true;
            return;
        }

        _end += read;
        BytesRead += read;
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
}

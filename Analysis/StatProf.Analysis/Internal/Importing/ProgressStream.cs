namespace StatProf.Analysis.Internal.Importing;

/// <summary>
/// A read-only pass-through that reports how many bytes were read (plus a base: the bytes of the
/// files read before), at most once per MiB, for <see cref="RecordReaderOptions.Progress"/>.
/// </summary>
internal sealed class ProgressStream(Stream inner, IProgress<long> progress, long baseBytes) : Stream
{
    private const long ReportEvery = 1024 * 1024;
    private long _read;
    private long _nextReport = ReportEvery;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        if (_read >= _nextReport)
        {
            _nextReport = _read + ReportEvery;
            progress.Report(baseBytes + _read);
        }

        return read;
    }
}

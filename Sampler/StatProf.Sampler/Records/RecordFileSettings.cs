namespace StatProf.Sampler.Records;

/// <summary>
/// Where and how a <see cref="RecordWriter"/> writes record files. Immutable: the writer takes a
/// snapshot at construction and checks it with <see cref="Validate"/>.
/// </summary>
/// <remarks>
/// Files are named <c>{FilePrefix}-{yyyyMMdd-HHmmss-fff}-{pid}.jsonl</c> (UTC time of opening) in
/// <see cref="Directory"/>. The files of one prefix in one directory share the
/// <see cref="MaxTotalBytes"/> budget, whichever process wrote them: give each service instance
/// that shares a directory its own prefix, or they delete each other's oldest files.
/// </remarks>
internal sealed record RecordFileSettings
{
    /// <summary>The smallest <see cref="MaxFileBytes"/> accepted: 4 KiB (a header and a few records).</summary>
    public const long MinFileBytes = 4 * 1024;

    /// <summary>The longest <see cref="FilePrefix"/> accepted, in characters.</summary>
    public const int MaxPrefixLength = 64;

    /// <summary>
    /// The directory of the record files. Created when missing (owner-only, 0700, on Unix); an
    /// existing directory's permissions are left as they are. No default: required.
    /// </summary>
    public required string Directory { get; init; }

    /// <summary>
    /// The start of every file name; letters, digits, <c>.</c>, <c>_</c> and <c>-</c> only, so it
    /// cannot name a path outside <see cref="Directory"/>. Default: <c>statprof</c>.
    /// </summary>
    public string FilePrefix { get; init; } = "statprof";

    /// <summary>
    /// The largest a file may grow to, header included. A record that would take the current file
    /// past it goes to a new file (rotation); a record that does not fit even in a new file is
    /// dropped and counted. At least <see cref="MinFileBytes"/>. Default: 16 MiB.
    /// </summary>
    public long MaxFileBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// The most that this prefix's files in <see cref="Directory"/> may take together. Whenever a
    /// file is opened the oldest ones are deleted until the others plus a full current file
    /// (<see cref="MaxFileBytes"/>) fit in it, so that the budget holds at every moment. At least
    /// <see cref="MaxFileBytes"/> (which keeps the current file only). Default: 256 MiB.
    /// </summary>
    public long MaxTotalBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// How many records may wait for the writer's thread. When it is full, new records are dropped
    /// and counted (<see cref="RecordWriter.Dropped"/>): the caller never waits. Default: 4096.
    /// </summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>
    /// How long <see cref="RecordWriter.Dispose"/> waits for the queued records to be written; what
    /// is still queued then is dropped and counted. Default: 5 seconds.
    /// </summary>
    public TimeSpan DisposeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks every setting and throws for the first wrong one.</summary>
    /// <exception cref="ArgumentException">A setting is out of its range; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("Record files: Directory is required.", nameof(Directory));
        }

        if (string.IsNullOrEmpty(FilePrefix) || FilePrefix.Length > MaxPrefixLength || !FilePrefix.All(IsPrefixChar)
            || FilePrefix[0] == '.' || FilePrefix[0] == '-')
        {
            throw new ArgumentException(
                $"Record files: FilePrefix '{FilePrefix}' must be 1 to {MaxPrefixLength} letters, digits, '.', '_' or '-', not starting with '.' or '-'.",
                nameof(FilePrefix));
        }

        if (MaxFileBytes < MinFileBytes)
        {
            throw new ArgumentException($"Record files: MaxFileBytes must be at least {MinFileBytes} (was {MaxFileBytes}).", nameof(MaxFileBytes));
        }

        if (MaxTotalBytes < MaxFileBytes)
        {
            throw new ArgumentException($"Record files: MaxTotalBytes ({MaxTotalBytes}) must be at least MaxFileBytes ({MaxFileBytes}).", nameof(MaxTotalBytes));
        }

        if (QueueCapacity < 1)
        {
            throw new ArgumentException($"Record files: QueueCapacity must be at least 1 (was {QueueCapacity}).", nameof(QueueCapacity));
        }

        if (DisposeTimeout < TimeSpan.Zero || DisposeTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"Record files: DisposeTimeout must be between 0 and {int.MaxValue} ms (was {DisposeTimeout}).", nameof(DisposeTimeout));
        }
    }

    private static bool IsPrefixChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}

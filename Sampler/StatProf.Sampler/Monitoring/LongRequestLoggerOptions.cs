using Microsoft.Extensions.Logging;

namespace StatProf.Sampler;

/// <summary>
/// Settings of a <see cref="LongRequestLogger"/>, validated and copied when the logger is created.
/// Bindable from configuration (the <c>"StatProf"</c> section in ASP.NET Core).
/// </summary>
public sealed class LongRequestLoggerOptions
{
    /// <summary>A request running longer than this is slow: its stack is recorded from then on. Default: 2 seconds.</summary>
    public TimeSpan Threshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Once a request is slow, its stack is recorded every interval until it ends. Default: 1 second.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Sampling starts when a request has run <see cref="Threshold"/> minus this lead, so that the
    /// session (about 0.1 s to open, 0.5 s of rundown) is ready when the request crosses the threshold.
    /// Default: 1 second (never more than half the threshold).
    /// </summary>
    public TimeSpan ActivationLead { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sampling stops once no slow request has run for this long. Default: 5 seconds.</summary>
    public TimeSpan IdleStop { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A request is dumped at most this many times; after that it is no longer followed (its end
    /// record still comes), so a request that never ends cannot keep sampling on for good.
    /// Default: 600 (10 minutes at the default interval).
    /// </summary>
    public int MaxDumpsPerRequest { get; set; } = 600;

    /// <summary>Keep a sampling session open all the time, even when no request is slow. Default: false.</summary>
    public bool Continuous { get; set; }

    /// <summary>Directory of the record files (created owner-only if missing). Default: <c>statprof</c> under the current directory.</summary>
    public string Directory { get; set; } = "statprof";

    /// <summary>Record file names start with this. Default: <c>statprof</c>.</summary>
    public string FilePrefix { get; set; } = "statprof";

    /// <summary>A record file is rotated when it would grow past this. Default: 16 MiB.</summary>
    public long MaxFileBytes { get; set; } = 16L << 20;

    /// <summary>The oldest record files are deleted when all of them together pass this. Default: 256 MiB.</summary>
    public long MaxTotalBytes { get; set; } = 256L << 20;

    /// <summary>Records waiting for the writer before new ones are dropped (and counted). Default: 4096.</summary>
    public int WriteQueueCapacity { get; set; } = 4096;

    /// <summary>What is masked in records. Default: query values, Authorization, Cookie and other secret-looking keys.</summary>
    public RedactionOptions Redaction { get; } = new();

    /// <summary>The sampler's own settings; its <see cref="SamplerOptions.Mode"/> is forced to monitored threads. Default: defaults.</summary>
    public SamplerOptions Sampler { get; set; } = new();

    /// <summary>Where the logger reports its lifecycle and faults. Default: none.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// Directories searched for <c>Assembly.pdb</c> (portable PDBs) when a module's PDB is neither
    /// embedded nor next to it. Used only when <see cref="SamplerOptions.SourceLines"/> is on. Default: none.
    /// </summary>
    public IList<string> SymbolDirectories { get; private set; } = [];

    internal LongRequestLoggerOptions Validated()
    {
        if (Threshold <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "Threshold must be positive.");
        if (Interval < TimeSpan.FromMilliseconds(10)) throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "Interval must be at least 10 ms.");
        if (ActivationLead < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ActivationLead), ActivationLead, "Activation lead must not be negative.");
        if (IdleStop < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(IdleStop), IdleStop, "Idle stop must not be negative.");
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("A record directory is required.", nameof(Directory));
        if (string.IsNullOrWhiteSpace(FilePrefix) || FilePrefix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || FilePrefix.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("The file prefix must be a plain file name.", nameof(FilePrefix));
        }

        if (MaxFileBytes < 4096) throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), MaxFileBytes, "Files must be allowed at least 4 KiB.");
        if (MaxTotalBytes < MaxFileBytes) throw new ArgumentOutOfRangeException(nameof(MaxTotalBytes), MaxTotalBytes, "The total cap must be at least one file.");
        if (MaxDumpsPerRequest < 1) throw new ArgumentOutOfRangeException(nameof(MaxDumpsPerRequest), MaxDumpsPerRequest, "At least one dump per request.");
        if (WriteQueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(WriteQueueCapacity), WriteQueueCapacity, "The write queue needs at least one slot.");

        var copy = (LongRequestLoggerOptions)MemberwiseClone();
        copy.SymbolDirectories = [.. SymbolDirectories];
        copy.Sampler = Sampler.Validated();
        copy.Sampler.Mode = SamplingMode.MonitoredThreads;
        copy.Sampler.Logger ??= Logger;
        return copy;
    }
}

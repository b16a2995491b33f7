namespace StatProf.AspNetCore;

/// <summary>
/// The live diagnostics endpoint (bound from <c>StatProf:Live</c>): current long requests, an
/// instant all-threads dump and a flame graph of the next N seconds, served from a dedicated thread
/// that answers even when the thread pool is starved. Off by default.
/// </summary>
public sealed class StatProfLiveOptions
{
    /// <summary>Whether the endpoint listens. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The IP address to listen on. Any address that is not loopback requires <see cref="Key"/>.
    /// Default: 127.0.0.1.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free port, which is logged. Default: 0.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The key every request must carry (header <c>X-StatProf-Key</c> or query <c>?key=</c>);
    /// requests without it get 401. Required for a non-loopback <see cref="Address"/>. Default: none.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Longest flame graph a request may ask for (<c>/flame?seconds=</c>). Default: 60 seconds.</summary>
    public int MaxFlameSeconds { get; set; } = 60;

    /// <summary>
    /// Requests running at least this long are listed on <c>/requests</c>. Default: 1 second
    /// (the long-request logger samples a request's stack only once it nears its own threshold).
    /// </summary>
    public TimeSpan LongRequestAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Connections served at once; more get 503. Default: 8.</summary>
    public int MaxConnections { get; set; } = 8;
}

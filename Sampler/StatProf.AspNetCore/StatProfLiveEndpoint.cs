using System.Net;
using Microsoft.Extensions.Logging;
using StatProf.AspNetCore.Live;
using StatProf.Sampler;

namespace StatProf.AspNetCore;

/// <summary>
/// The live diagnostics endpoint: <c>/requests</c> (current long requests, HTML or <c>?format=json</c>),
/// <c>/dump</c> (every managed thread's stack now, text or json) and <c>/flame?seconds=N</c> (a flame
/// graph of the next N seconds, HTML or <c>?format=folded|json|speedscope</c>). Served by a small
/// HTTP/1.1 server on dedicated threads over blocking sockets, so that it answers when the thread
/// pool is starved. <c>AddStatProf</c> starts it with the host when <see cref="StatProfLiveOptions.Enabled"/>;
/// it can also be used with a plain <see cref="LongRequestLogger"/> (or none: no long requests then).
/// </summary>
public sealed class StatProfLiveEndpoint : IDisposable
{
    private readonly StatProfLiveOptions _options;
    private readonly LongRequestLogger? _logger;
    private readonly ILogger? _log;
    private readonly object _gate = new();
    private readonly ManualResetEventSlim _warm = new();
    private LiveHttpServer? _server;
    private bool _disposed;

    /// <summary>Creates a stopped endpoint.</summary>
    public StatProfLiveEndpoint(StatProfLiveOptions options, LongRequestLogger? logger = null, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        _log = log;
    }

    /// <summary>The port listened on while started, else 0.</summary>
    public int Port => _server?.Port ?? 0;

    /// <summary>
    /// Starts listening. Never throws: returns false, with one error line on the log, when the
    /// options are invalid (a non-loopback address without a key, a bad address or port) or the
    /// port cannot be bound. Does nothing and returns true when already started.
    /// </summary>
    public bool Start()
    {
        lock (_gate)
        {
            if (_server is not null)
            {
                return true;
            }

            if (_disposed)
            {
                return false;
            }

            if (Refusal() is { } refusal)
            {
                _log?.LogError("StatProf live endpoint not started: {Reason}", refusal);
                return false;
            }

            IPAddress address = IPAddress.Parse(_options.Address);
            try
            {
                _server = new LiveHttpServer(address, _options.Port, _options.MaxConnections, new LivePages(_options, _logger, _warm).Handle, _log);
            }
            catch (Exception ex)
            {
                _log?.LogError("StatProf live endpoint not started: cannot listen on {Address}:{Port}: {Error}", _options.Address, _options.Port, ex.Message);
                return false;
            }

            StartWarmUp();
            if (_log is null || !_log.IsEnabled(LogLevel.Information))
            {
                return true;
            }

            string host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            string keyNote = string.IsNullOrEmpty(_options.Key) ? string.Empty : "; key required";
            string url = $"http://{host}:{_server.Port}/";
            _log.LogInformation("StatProf live endpoint listening on {Url} (requests, dump, flame){KeyNote}", url, keyNote);
            return true;
        }
    }

    /// <summary>Stops listening (bounded). Never throws.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _server?.Dispose();
            _server = null;
        }
    }

    /// <summary>Test hook: waits for the warm-up session to end.</summary>
    internal bool WaitWarm(TimeSpan timeout) => _warm.Wait(timeout);

    /// <summary>
    /// One short sampling session at start, on a background thread: the first dump, often asked for
    /// when the service is already in trouble, then does not pay for loading and compiling the
    /// tracing code (measured: the first session's start takes 1-3 s on a loaded 2-core machine).
    /// <c>/dump</c> and <c>/flame</c> asked meanwhile wait for it rather than start a second session
    /// beside it.
    /// </summary>
    private void StartWarmUp()
    {
        var thread = new Thread(() =>
        {
            try
            {
                LiveSampling.Dump(ticks: 1, TimeSpan.FromMilliseconds(300), out _, out _);
            }
            catch (Exception ex)
            {
                string reason = ex.Message;
                _log?.LogWarning("StatProf live endpoint: sampling is not available ({Reason}); /dump and /flame will fail", reason);
            }
            finally
            {
                _warm.Set();
            }
        })
        { IsBackground = true, Name = "StatProf live warm-up" };
        thread.Start();
    }

    private string? Refusal()
    {
        if (!IPAddress.TryParse(_options.Address, out IPAddress? address))
        {
            return $"StatProf:Live:Address '{_options.Address}' is not an IP address.";
        }

        if (_options.Port is < 0 or > 65535)
        {
            return $"StatProf:Live:Port {_options.Port} is not a TCP port (0-65535).";
        }

        if (_options.MaxFlameSeconds < 1 || _options.MaxConnections < 1 || _options.LongRequestAge < TimeSpan.Zero)
        {
            return "StatProf:Live:MaxFlameSeconds and MaxConnections must be at least 1, LongRequestAge not negative.";
        }

        if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(_options.Key))
        {
            return $"binding to {_options.Address}, which is not loopback, requires StatProf:Live:Key (or bind to 127.0.0.1).";
        }

        return null;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace StatProf.AspNetCore.Live;

/// <summary>
/// A minimal HTTP/1.1 server over blocking sockets on dedicated threads: one accept thread, one
/// thread per connection (at most <c>maxConnections</c>, more get 503). No thread pool, no async,
/// no Kestrel, so that it answers when the application's thread pool is starved. GET and HEAD only,
/// request line and headers capped at 8 KB, no body, Connection: close, 5 s receive timeout.
/// </summary>
internal sealed class LiveHttpServer : IDisposable
{
    private const int MaxHeaderBytes = 8 * 1024;
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly Func<LiveHttpRequest, LiveHttpResponse> _handler;
    private readonly ILogger? _log;
    private readonly int _maxConnections;
    private readonly Thread _acceptThread;
    private int _active;
    private volatile bool _stopping;

    public LiveHttpServer(IPAddress address, int port, int maxConnections, Func<LiveHttpRequest, LiveHttpResponse> handler, ILogger? log)
    {
        _handler = handler;
        _log = log;
        _maxConnections = maxConnections;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(address, port));
            _listener.Listen(16);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "StatProf live endpoint" };
        _acceptThread.Start();
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose(); // unblocks Accept
        _acceptThread.Join(TimeSpan.FromSeconds(2));
    }

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
            catch (Exception ex)
            {
                _log?.LogWarning("StatProf live endpoint: accept failed: {Error}", ex.Message);
                Thread.Sleep(50);
                continue;
            }

            if (Interlocked.Increment(ref _active) > _maxConnections)
            {
                Interlocked.Decrement(ref _active);
                Reply(client, LiveHttpResponse.Text(503, "Too many diagnostics requests at once; try again."), headOnly: false);
                continue;
            }

            try
            {
                new Thread(() => Serve(client)) { IsBackground = true, Name = "StatProf live connection" }.Start();
            }
            catch (Exception ex)
            {
                Interlocked.Decrement(ref _active);
                _log?.LogWarning("StatProf live endpoint: cannot start a connection thread: {Error}", ex.Message);
                client.Dispose();
            }
        }
    }

    private void Serve(Socket client)
    {
        try
        {
            client.NoDelay = true;
            client.ReceiveTimeout = (int)ReceiveTimeout.TotalMilliseconds;
            client.SendTimeout = (int)TimeSpan.FromSeconds(30).TotalMilliseconds;
            LiveHttpResponse response;
            bool head = false;
            if (ReadHead(client) is not { } head8)
            {
                response = LiveHttpResponse.Text(431, "Request line and headers must end within 8 KB.");
            }
            else if (Parse(head8) is not { } request)
            {
                response = LiveHttpResponse.Text(400, "Malformed HTTP request.");
            }
            else if (request.Method is not ("GET" or "HEAD"))
            {
                response = LiveHttpResponse.Text(405, "Only GET is served here.");
            }
            else
            {
                head = request.Method == "HEAD";
                try
                {
                    response = _handler(request);
                }
                catch (Exception ex)
                {
                    _log?.LogWarning("StatProf live endpoint: {Path} failed: {Error}", request.Path, ex.Message);
                    response = LiveHttpResponse.Text(500, "StatProf live endpoint: " + ex.Message);
                }
            }

            Reply(client, response, head);
        }
        catch (Exception)
        {
            // A client that went away or timed out: nothing to answer.
            client.Dispose();
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Reads up to the blank line that ends the headers; null when it does not come within the cap.</summary>
    private static string? ReadHead(Socket client)
    {
        byte[] buffer = new byte[MaxHeaderBytes];
        int length = 0;
        while (length < buffer.Length)
        {
            int n = client.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
            if (n == 0)
            {
                break;
            }

            int scanFrom = Math.Max(0, length - 3);
            length += n;
            int end = buffer.AsSpan(scanFrom, length - scanFrom).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return Encoding.Latin1.GetString(buffer, 0, scanFrom + end);
            }
        }

        return null;
    }

    internal static LiveHttpRequest? Parse(string head)
    {
        string[] lines = head.Split("\r\n");
        string[] parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length == 0 || parts[1][0] != '/')
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return null;
            }

            headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }

        string target = parts[1];
        int q = target.IndexOf('?', StringComparison.Ordinal);
        string path = Uri.UnescapeDataString(q < 0 ? target : target[..q]);
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (q >= 0)
        {
            foreach (string pair in target[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                string key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
                string value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
                query[key] = value;
            }
        }

        return new LiveHttpRequest(parts[0], path, query, headers);
    }

    private static void Reply(Socket client, LiveHttpResponse response, bool headOnly)
    {
        using (client)
        {
            try
            {
                string head =
                    $"HTTP/1.1 {response.Status} {Reason(response.Status)}\r\n" +
                    $"Content-Type: {response.ContentType}\r\n" +
                    $"Content-Length: {response.Body.Length}\r\n" +
                    "Cache-Control: no-store\r\n" +
                    "X-Content-Type-Options: nosniff\r\n" +
                    "Connection: close\r\n\r\n";
                client.Send(Encoding.ASCII.GetBytes(head));
                if (!headOnly)
                {
                    client.Send(response.Body);
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception)
            {
                // The client went away: nothing more to do.
            }
        }
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}

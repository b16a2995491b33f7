using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StatProf.AspNetCore.Tests.Live;

/// <summary>
/// A blocking HTTP/1.1 client over a socket on the calling thread: it works when the thread pool is
/// starved (HttpClient completes its I/O on pool threads), which is the point of the starvation test.
/// </summary>
internal static class RawHttp
{
    public static RawResponse Get(int port, string target, IReadOnlyDictionary<string, string>? headers = null, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        int ms = (int)(timeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds;
        socket.ReceiveTimeout = ms;
        socket.SendTimeout = ms;
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var request = new StringBuilder($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
        foreach ((string name, string value) in headers ?? new Dictionary<string, string>())
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        socket.Send(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
        using var received = new MemoryStream();
        byte[] buffer = new byte[65536];
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        string all = Encoding.UTF8.GetString(received.ToArray());
        int headEnd = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, "the response has a head: " + all);
        string[] head = all[..headEnd].Split("\r\n");
        int status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var responseHeaders = head.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new RawResponse(status, responseHeaders, all[(headEnd + 4)..], clock.Elapsed);
    }

    /// <summary>Sends a GET and leaves the connection open without reading the answer.</summary>
    public static Socket Fire(int port, string target)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        socket.Send(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
        return socket;
    }
}

/// <summary>A response read by <see cref="RawHttp"/>.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body, TimeSpan Elapsed);

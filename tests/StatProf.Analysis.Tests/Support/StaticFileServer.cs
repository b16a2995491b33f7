using System.Net;
using System.Net.Sockets;

namespace StatProf.Analysis.Tests.Support;

/// <summary>Serves a folder (and extra files) over HTTP on 127.0.0.1, as a browser test needs.</summary>
internal sealed class StaticFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Dictionary<string, string> _extra = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public StaticFileServer(string root)
    {
        _root = Path.GetFullPath(root);
        int port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    /// <summary>Serves <paramref name="file"/> at <c>/name</c>.</summary>
    public string Add(string name, string file)
    {
        _extra[name] = file;
        return BaseUrl + name;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by the listener's disposal.
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using HttpListenerResponse response = context.Response;
            string name = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
            string path = _extra.TryGetValue(name, out string? extra) ? extra : Path.GetFullPath(Path.Combine(_root, name.Length == 0 ? "index.html" : name));
            if (!path.StartsWith(_root, StringComparison.Ordinal) && extra is null || !File.Exists(path))
            {
                response.StatusCode = 404;
                continue;
            }

            response.ContentType = Path.GetExtension(path) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript",
                ".css" => "text/css",
                ".json" => "application/json",
                ".wasm" => "application/wasm",
                ".png" => "image/png",
                _ => "application/octet-stream",
            };
            byte[] bytes = await File.ReadAllBytesAsync(path);
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
        }
    }
}

using System.Text;

namespace StatProf.AspNetCore.Live;

/// <summary>A complete response: status, content type and body (always sent with Connection: close).</summary>
internal sealed record LiveHttpResponse(int Status, string ContentType, byte[] Body)
{
    public static LiveHttpResponse Text(int status, string text) =>
        new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text.EndsWith('\n') ? text : text + "\n"));

    public static LiveHttpResponse Html(string html) => new(200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(html));

    public static LiveHttpResponse Json(byte[] json) => new(200, "application/json; charset=utf-8", json);
}

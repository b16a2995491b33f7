namespace StatProf.AspNetCore;

/// <summary>What the middleware records about each HTTP request (bound from <c>StatProf:Http</c>).</summary>
public sealed class StatProfHttpOptions
{
    /// <summary>
    /// Request headers recorded as tags of a slow request (values of sensitive ones, such as
    /// Authorization and Cookie, are recorded as REDACTED). Default: User-Agent, Referer,
    /// Content-Type, Content-Length, X-Request-Id, Authorization, Cookie.
    /// </summary>
    public IList<string> CapturedHeaders { get; } =
    [
        "User-Agent", "Referer", "Content-Type", "Content-Length", "X-Request-Id", "Authorization", "Cookie",
    ];

    /// <summary>Requests whose path starts with one of these are not monitored. Default: none.</summary>
    public IList<string> IgnoredPaths { get; } = [];
}

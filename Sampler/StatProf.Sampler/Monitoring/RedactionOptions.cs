namespace StatProf.Sampler;

/// <summary>What is masked as <c>REDACTED</c> in records, before anything is written.</summary>
public sealed class RedactionOptions
{
    /// <summary>
    /// Mask every query-string value of request names (<c>?token=abc</c> becomes <c>?token=REDACTED</c>),
    /// except keys in <see cref="VisibleQueryKeys"/>. Default: true.
    /// </summary>
    public bool RedactQueryValues { get; set; } = true;

    /// <summary>Query keys whose values stay visible when <see cref="RedactQueryValues"/> is on. Default: none.</summary>
    public IList<string> VisibleQueryKeys { get; } = [];

    /// <summary>
    /// Keys whose values are always masked, case-insensitive: in tags (headers), and in query strings
    /// even when values are visible. Default: Authorization, Proxy-Authorization, Cookie, Set-Cookie,
    /// X-Api-Key, Api-Key, token, access_token, password, secret.
    /// </summary>
    public IList<string> SensitiveKeys { get; } =
    [
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key",
        "token", "access_token", "password", "secret",
    ];
}

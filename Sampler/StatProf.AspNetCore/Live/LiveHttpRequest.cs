namespace StatProf.AspNetCore.Live;

/// <summary>A parsed request line and headers: the path, the decoded query and the headers by name.</summary>
internal sealed record LiveHttpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers);

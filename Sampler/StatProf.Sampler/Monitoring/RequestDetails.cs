namespace StatProf.Sampler.Monitoring;

/// <summary>
/// Reads a host's own information about a request (its id, the headers it records as tags) from
/// the host's request object, and only when that information is needed: when the request turns
/// slow (on the logger's thread, while the request still runs) and when a slow request ends (on the
/// request's thread, before it returns). The request's path pays nothing for it, as the Python
/// LongRequestLogger read a request's details only when it dumped the request.
/// </summary>
/// <remarks>
/// Implementations read from an object that the request's own thread may be using: they only read,
/// and may throw or see a value torn by a concurrent write. The logger catches what they throw and
/// discards what they read if the request ended meanwhile (its state then has another id).
/// </remarks>
internal abstract class RequestDetails
{
    /// <summary>The host's id for the request, or null (StatProf then numbers it).</summary>
    public abstract string? ReadId(object request);

    /// <summary>True when the request was cancelled (e.g. the client went away); read as a slow request ends, on its thread.</summary>
    public virtual bool ReadCancelled(object request) => false;

    /// <summary>Adds the request's tags (unredacted: the logger redacts them) to <paramref name="tags"/>.</summary>
    public abstract void ReadTags(object request, List<KeyValuePair<string, string>> tags);
}

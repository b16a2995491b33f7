namespace StatProf.Sampler.Monitoring;

/// <summary>
/// A request's name kept as the pieces the host already has (for HTTP: method, a space, path base,
/// path, query string), so that beginning a request builds no string: the pieces are joined only
/// when the request is described, which happens for slow requests alone.
/// </summary>
internal readonly struct RequestName(string head, string? part1 = null, string? part2 = null, string? part3 = null, string? part4 = null)
{
    private readonly string _head = head;
    private readonly string? _part1 = part1;
    private readonly string? _part2 = part2;
    private readonly string? _part3 = part3;
    private readonly string? _part4 = part4;

    /// <summary>The pieces joined (allocates unless the name is one piece).</summary>
    public override string ToString() =>
        _part1 is null && _part2 is null && _part3 is null && _part4 is null
            ? _head ?? string.Empty
            : string.Concat(_head, _part1, _part2, _part3) + _part4;
}

namespace StatProf.Analysis;

/// <summary>
/// A glob pattern over frame names and what to do with the frames it matches. <c>*</c> matches any
/// run of characters, <c>?</c> one; the pattern matches a frame's whole name or its name without
/// the signature (<c>Shop.Pricing.PriceLine</c> matches <c>Shop.Pricing.PriceLine(int32)</c>).
/// Case-sensitive, as method names are.
/// </summary>
/// <param name="Pattern">The glob.</param>
/// <param name="Action">What to do with matching frames.</param>
public sealed record IgnoreRule(string Pattern, FrameAction Action)
{
    /// <summary>
    /// Parses <c>PATTERN</c> (drop), <c>drop:PATTERN</c>, <c>fold:PATTERN</c> or <c>keep:PATTERN</c>.
    /// </summary>
    /// <param name="text">The rule.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="FormatException">The pattern is empty.</exception>
    public static IgnoreRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        FrameAction action = FrameAction.Drop;
        string pattern = text.Trim();
        if (TryStrip(ref pattern, "drop:"))
        {
            action = FrameAction.Drop;
        }
        else if (TryStrip(ref pattern, "fold:"))
        {
            action = FrameAction.Fold;
        }
        else if (TryStrip(ref pattern, "keep:"))
        {
            action = FrameAction.Keep;
        }

        if (pattern.Length == 0)
        {
            throw new FormatException($"ignore rule '{text}' has an empty pattern (expected PATTERN, drop:PATTERN, fold:PATTERN or keep:PATTERN).");
        }

        return new IgnoreRule(pattern, action);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Action.ToString().ToLowerInvariant()}:{Pattern}";

    private static bool TryStrip(ref string pattern, string prefix)
    {
        if (pattern.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            pattern = pattern[prefix.Length..].Trim();
            return true;
        }

        return false;
    }
}

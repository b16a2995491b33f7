namespace StatProf.Analysis.Internal.Filters;

/// <summary>
/// Glob patterns over frame and request names: <c>*</c> matches any run of characters (dots
/// included), <c>?</c> any one character; everything else is literal (so <c>[</c>, <c>]</c>,
/// <c>&lt;</c>, <c>+</c> of generic and nested type names need no escaping). Linear-time backtracking
/// on the last star only: no regular expressions, no pathological patterns.
/// </summary>
internal static class Glob
{
    /// <summary>True when the whole of <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(ReadOnlySpan<char> text, ReadOnlySpan<char> pattern, bool ignoreCase)
    {
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && (pattern[p] == '?' || Same(pattern[p], text[t], ignoreCase)))
            {
                t++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>
    /// True when some part of <paramref name="text"/> matches <paramref name="pattern"/> (a "contains"
    /// glob). <paramref name="wrapped"/> is the pattern between two stars, made once by the caller.
    /// </summary>
    public static bool Contains(ReadOnlySpan<char> text, string pattern, string wrapped, bool ignoreCase)
    {
        if (pattern.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return text.Contains(pattern, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        return IsMatch(text, wrapped, ignoreCase);
    }

    /// <summary>
    /// True when a frame name matches: the whole name, or the name without its signature (so
    /// <c>Shop.Pricing.PriceLine</c> matches <c>Shop.Pricing.PriceLine(int32)</c>).
    /// </summary>
    public static bool IsFrameMatch(string frame, string pattern, bool ignoreCase)
    {
        if (IsMatch(frame, pattern, ignoreCase))
        {
            return true;
        }

        int paren = frame.IndexOf('(', StringComparison.Ordinal);
        return paren > 0 && IsMatch(frame.AsSpan(0, paren), pattern, ignoreCase);
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}

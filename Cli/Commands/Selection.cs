using System.Diagnostics.CodeAnalysis;
using StatProf.Analysis;

namespace StatProf.Cli.Commands;

/// <summary>What <c>report</c> and <c>diff</c> select alike: <c>--where</c>, <c>--ignore</c>, <c>--no-default-ignores</c>.</summary>
internal static class Selection
{
    /// <summary>Parses the options; false, with a one-line error naming the option, when one is malformed.</summary>
    public static bool TryParse(
        string? where,
        IEnumerable<string> ignoreRules,
        bool noDefaultIgnores,
        out RequestFilter? filter,
        out IgnoreSet ignore,
        [NotNullWhen(false)] out string? error)
    {
        filter = null;
        ignore = noDefaultIgnores ? IgnoreSet.None : IgnoreSet.Default;
        if (where is not null && !RequestFilter.TryParse(where, out filter, out string? whereError))
        {
            error = $"--where: {whereError}";
            return false;
        }

        try
        {
            ignore = ignore.With(ignoreRules.Select(IgnoreRule.Parse));
        }
        catch (FormatException ex)
        {
            error = $"--ignore: {ex.Message}";
            return false;
        }

        error = null;
        return true;
    }
}

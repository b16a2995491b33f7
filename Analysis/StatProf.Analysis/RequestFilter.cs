using System.Diagnostics.CodeAnalysis;
using StatProf.Analysis.Internal.Filters;

namespace StatProf.Analysis;

/// <summary>
/// A condition on requests: the CLI's <c>--where</c>, e.g.
/// <c>duration&gt;2s and name~"/orders" and frame~"PriceLine" and tag.User-Agent~"curl"</c>.
/// </summary>
/// <remarks>
/// <para>Conditions combine with <c>and</c>, <c>or</c>, <c>not</c> and parentheses (<c>not</c> binds
/// tightest, then <c>and</c>, then <c>or</c>). Values are bare words or quoted strings.</para>
/// <para>Text fields — <c>name</c> (alias <c>url</c>), <c>kind</c>, <c>id</c>, <c>outcome</c>
/// (<c>ok</c>, <c>error</c>, <c>cancelled</c>, <c>unfinished</c>), <c>error</c>, <c>traceid</c>,
/// <c>source</c>, <c>tag.NAME</c> — take <c>=</c> and <c>!=</c> (whole value) and <c>~</c> and
/// <c>!~</c> (contains; <c>*</c> and <c>?</c> are wildcards), all ignoring case. An absent value (no
/// error, no such tag) matches <c>!=</c> and <c>!~</c> only.</para>
/// <para><c>frame</c> is true when any sample of the request has a matching frame, before ignore
/// rules; <c>frame=NAME</c> also matches NAME followed by a signature.</para>
/// <para>Numbers — <c>duration</c> (a unit ms, s, m or h; bare numbers are ms; an unfinished request's
/// elapsed time at its last sample), <c>status</c>, <c>pid</c>, <c>samples</c> (alias <c>dumps</c>) —
/// take <c>= != &lt; &lt;= &gt; &gt;=</c>; <c>thread=N</c> is true when the request ran on OS thread N.</para>
/// <para>Times — <c>start</c>, <c>end</c> — compare with ISO 8601 instants (UTC unless an offset is
/// given): <c>end&gt;=2026-11-21T21:40:00Z and start&lt;2026-11-21T22:00:00Z</c> selects the requests
/// that overlap a window.</para>
/// </remarks>
public sealed class RequestFilter
{
    private readonly WhereNode _root;
    private readonly int _frameConditions;

    private RequestFilter(string expression, WhereNode root, int frameConditions)
    {
        Expression = expression;
        _root = root;
        _frameConditions = frameConditions;
    }

    /// <summary>The fields an expression may use, for help texts.</summary>
    public static string Fields => WhereParser.FieldList;

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>Parses an expression.</summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="WhereSyntaxException">The expression is invalid; the message is one line.</exception>
    public static RequestFilter Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        (WhereNode root, int frames) = WhereParser.Parse(expression);
        return new RequestFilter(expression, root, frames);
    }

    /// <summary>Parses an expression without throwing.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="filter">The filter, when valid.</param>
    /// <param name="error">The one-line error, when not.</param>
    /// <returns>Whether the expression is valid.</returns>
    public static bool TryParse(string expression, [NotNullWhen(true)] out RequestFilter? filter, [NotNullWhen(false)] out string? error)
    {
        try
        {
            filter = Parse(expression);
            error = null;
            return true;
        }
        catch (WhereSyntaxException ex)
        {
            filter = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Whether a request of a set satisfies the condition.</summary>
    /// <param name="set">The set the request belongs to (for its stacks).</param>
    /// <param name="request">The request.</param>
    /// <returns>True when it does.</returns>
    public bool Matches(RecordSet set, Request request)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(request);
        return CreateMatcher(set)(request);
    }

    /// <inheritdoc/>
    public override string ToString() => Expression;

    /// <summary>A matcher for many requests of one set, with frame conditions memoized across them.</summary>
    internal Func<Request, bool> CreateMatcher(RecordSet set)
    {
        var context = new FilterContext(set, _frameConditions);
        return request => _root.Evaluate(request, context);
    }
}

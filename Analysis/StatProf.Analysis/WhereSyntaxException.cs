namespace StatProf.Analysis;

/// <summary>
/// A <c>--where</c> expression that cannot be parsed. The message is one line that names the column
/// and what was expected, e.g. <c>column 10: expected a value after 'duration &gt;'</c>.
/// </summary>
public sealed class WhereSyntaxException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public WhereSyntaxException()
        : this(0, "invalid expression")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public WhereSyntaxException(string message)
        : this(0, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public WhereSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>Creates the exception for a problem at a column.</summary>
    /// <param name="column">1-based column of the problem (0 when not known).</param>
    /// <param name="problem">What is wrong, without the column.</param>
    public WhereSyntaxException(int column, string problem)
        : base(column > 0 ? $"column {column}: {problem}" : problem)
    {
        Column = column;
        Problem = problem;
    }

    /// <summary>1-based column of the problem in the expression (0 when not known).</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the column.</summary>
    public string Problem { get; }
}

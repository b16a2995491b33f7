using System.Globalization;

namespace StatProf.Analysis.Internal.Filters;

/// <summary>
/// A hand-written recursive-descent parser for <c>--where</c> expressions:
/// <code>
/// expr       := and ( 'or' and )*
/// and        := unary ( 'and' unary )*
/// unary      := 'not' unary | '(' expr ')' | comparison
/// comparison := FIELD OP VALUE
/// </code>
/// Every error is one line naming the column and what was expected.
/// </summary>
internal sealed class WhereParser
{
    public const string FieldList = "duration, name, kind, id, pid, outcome, status, error, traceid, source, samples, thread, start, end, frame, tag.KEY";

    private const string StringOperators = "=, !=, ~ or !~";
    private const string NumberOperators = "=, !=, <, <=, > or >=";

    private readonly List<Token> _tokens;
    private int _position;
    private int _frameConditions;

    private WhereParser(List<Token> tokens)
    {
        _tokens = tokens;
    }

    private enum FieldType
    {
        Text,
        Number,
        Duration,
        Time,
        Thread,
        Frame,
    }

    private Token Current => _tokens[_position];

    /// <summary>Parses an expression; returns its tree and the number of frame conditions (for memo slots).</summary>
    public static (WhereNode Root, int FrameConditions) Parse(string expression)
    {
        List<Token> tokens = WhereLexer.Tokenize(expression);
        if (tokens.Count == 1)
        {
            throw new WhereSyntaxException(1, $"empty expression (expected a condition such as duration>2s; fields: {FieldList})");
        }

        var parser = new WhereParser(tokens);
        WhereNode root = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
        {
            Token extra = parser.Current;
            throw new WhereSyntaxException(extra.Column, extra.Kind == TokenKind.Close
                ? "unbalanced ')'"
                : $"expected 'and', 'or' or the end, found {extra.Describe()}");
        }

        return (root, parser._frameConditions);
    }

    private Token Next() => _tokens[_position++];

    private WhereNode ParseOr()
    {
        WhereNode left = ParseAnd();
        while (Current.IsKeyword("or"))
        {
            Next();
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private WhereNode ParseAnd()
    {
        WhereNode left = ParseUnary();
        while (Current.IsKeyword("and"))
        {
            Next();
            left = new AndNode(left, ParseUnary());
        }

        return left;
    }

    private WhereNode ParseUnary()
    {
        Token token = Current;
        if (token.IsKeyword("not"))
        {
            Next();
            return new NotNode(ParseUnary());
        }

        if (token.Kind == TokenKind.Open)
        {
            Next();
            WhereNode inner = ParseOr();
            if (Current.Kind != TokenKind.Close)
            {
                throw new WhereSyntaxException(Current.Column, $"expected ')' to close the '(' at column {token.Column}, found {Current.Describe()}");
            }

            Next();
            return inner;
        }

        return ParseComparison();
    }

    private WhereNode ParseComparison()
    {
        Token field = Next();
        if (field.Kind != TokenKind.Word || field.IsKeyword("and") || field.IsKeyword("or"))
        {
            throw new WhereSyntaxException(field.Column, $"expected a field ({FieldList}), found {field.Describe()}");
        }

        Token op = Next();
        if (op.Kind != TokenKind.Operator)
        {
            throw new WhereSyntaxException(op.Column, $"expected an operator (=, !=, <, <=, >, >=, ~, !~) after '{field.Text}', found {op.Describe()}");
        }

        Token value = Next();
        if (value.Kind is not (TokenKind.Word or TokenKind.String))
        {
            throw new WhereSyntaxException(value.Column, $"expected a value after '{field.Text} {op.Text}', found {value.Describe()}");
        }

        return Build(field, op, value);
    }

    private WhereNode Build(Token field, Token op, Token value)
    {
        string name = field.Text.ToLowerInvariant();
        if (name.StartsWith("tag.", StringComparison.Ordinal))
        {
            string key = field.Text[4..];
            if (key.Length == 0)
            {
                throw new WhereSyntaxException(field.Column, "'tag.' needs a tag name, e.g. tag.User-Agent~\"curl\"");
            }

            return Text(field, op, value, r => r.Tags.TryGetValue(key, out string? tag) ? tag : null);
        }

        return name switch
        {
            "name" or "url" => Text(field, op, value, r => r.Name),
            "kind" => Text(field, op, value, r => r.Kind),
            "id" => Text(field, op, value, r => r.Id),
            "outcome" => Text(field, op, value, r => r.Outcome),
            "error" => Text(field, op, value, r => r.Error),
            "traceid" => Text(field, op, value, r => r.TraceId),
            "source" or "file" => Text(field, op, value, r => r.Source),
            "duration" => Number(field, op, ParseDuration(field, value), r => r.EffectiveDurationMs),
            "status" => Number(field, op, ParseNumber(field, value), r => r.Status),
            "pid" => Number(field, op, ParseNumber(field, value), r => r.ProcessId),
            "samples" or "dumps" => Number(field, op, ParseNumber(field, value), r => r.Samples),
            "start" => Number(field, op, ParseTime(field, value), r => r.Start?.Ticks),
            "end" => Number(field, op, ParseTime(field, value), r => r.End?.Ticks),
            "thread" => Thread(field, op, value),
            "frame" => Frame(field, op, value),
            "process" => throw new WhereSyntaxException(field.Column, "'process' is not a field; use pid=N"),
            _ => throw new WhereSyntaxException(field.Column, $"unknown field '{field.Text}' (fields: {FieldList})"),
        };
    }

    private static WhereNode Text(Token field, Token op, Token value, Func<Request, string?> getter)
    {
        (StringTest test, bool negate) = StringOperator(field, op);
        WhereNode node = new StringNode(getter, test, value.Text);
        return negate ? new NotNode(node) : node;
    }

    private WhereNode Frame(Token field, Token op, Token value)
    {
        (StringTest test, bool negate) = StringOperator(field, op);
        WhereNode node = new FrameNode(_frameConditions++, test, value.Text);
        return negate ? new NotNode(node) : node;
    }

    private static WhereNode Thread(Token field, Token op, Token value)
    {
        if (op.Text is not ("=" or "!="))
        {
            throw new WhereSyntaxException(op.Column, $"operator '{op.Text}' does not apply to thread (use = or !=)");
        }

        double id = ParseNumber(field, value);
        if (id != Math.Floor(id) || id is < int.MinValue or > int.MaxValue)
        {
            throw new WhereSyntaxException(value.Column, $"'{value.Text}' is not a thread id");
        }

        WhereNode node = new ThreadNode((int)id);
        return op.Text == "!=" ? new NotNode(node) : node;
    }

    private static NumberNode Number(Token field, Token op, double value, Func<Request, double?> getter)
    {
        Comparison comparison = op.Text switch
        {
            "=" => Comparison.Equal,
            "!=" => Comparison.NotEqual,
            "<" => Comparison.Less,
            "<=" => Comparison.LessOrEqual,
            ">" => Comparison.Greater,
            ">=" => Comparison.GreaterOrEqual,
            _ => throw new WhereSyntaxException(op.Column, $"operator '{op.Text}' does not apply to {field.Text} (use {NumberOperators})"),
        };
        return new NumberNode(getter, comparison, value);
    }

    private static (StringTest Test, bool Negate) StringOperator(Token field, Token op) => op.Text switch
    {
        "=" => (StringTest.Equals, false),
        "!=" => (StringTest.Equals, true),
        "~" => (StringTest.Contains, false),
        "!~" => (StringTest.Contains, true),
        _ => throw new WhereSyntaxException(op.Column, $"operator '{op.Text}' does not apply to {field.Text} (use {StringOperators})"),
    };

    private static double ParseNumber(Token field, Token value)
    {
        if (double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
        {
            return number;
        }

        throw new WhereSyntaxException(value.Column, $"'{value.Text}' is not a number (for {field.Text})");
    }

    /// <summary>A duration in ms: a number with an optional unit (ms, s, m or min, h); a bare number is ms.</summary>
    private static double ParseDuration(Token field, Token value)
    {
        string text = value.Text.Trim();
        int unitStart = text.Length;
        while (unitStart > 0 && char.IsAsciiLetter(text[unitStart - 1]))
        {
            unitStart--;
        }

        string unit = text[unitStart..].ToLowerInvariant();
        double scale = unit switch
        {
            "" or "ms" => 1,
            "s" or "sec" => 1000,
            "m" or "min" => 60_000,
            "h" => 3_600_000,
            _ => double.NaN,
        };
        if (double.IsNaN(scale))
        {
            throw new WhereSyntaxException(value.Column, $"unknown unit '{unit}' in '{value.Text}' (for {field.Text}: ms, s, m or h)");
        }

        if (!double.TryParse(text.AsSpan(0, unitStart), NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
        {
            throw new WhereSyntaxException(value.Column, $"'{value.Text}' is not a duration (for {field.Text}: e.g. 2s, 500ms, 1.5m)");
        }

        return number * scale;
    }

    /// <summary>A UTC instant as ticks: ISO 8601, e.g. 2026-11-21T21:40:00Z (no offset means UTC).</summary>
    private static double ParseTime(Token field, Token value)
    {
        if (DateTimeOffset.TryParse(value.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset time))
        {
            return time.UtcTicks;
        }

        throw new WhereSyntaxException(value.Column, $"'{value.Text}' is not a time (for {field.Text}: ISO 8601, e.g. 2026-11-21T21:40:00Z)");
    }
}

using System.Text;

namespace StatProf.Analysis.Internal.Filters;

internal enum TokenKind
{
    Word,
    String,
    Operator,
    Open,
    Close,
    End,
}

/// <summary>A token of a <c>--where</c> expression; <see cref="Column"/> is 1-based.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Column)
{
    public bool IsKeyword(string keyword) => Kind == TokenKind.Word && Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the expression",
        TokenKind.String => $"\"{Text}\"",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits a <c>--where</c> expression into words (fields, bare values, keywords), quoted strings
/// (<c>"…"</c> or <c>'…'</c>, with <c>\"</c>, <c>\'</c> and <c>\\</c> escapes), operators
/// (<c>= == != &lt; &lt;= &gt; &gt;= ~ !~</c>) and parentheses.
/// </summary>
internal static class WhereLexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            int column = i + 1;
            switch (c)
            {
                case '(':
                    tokens.Add(new Token(TokenKind.Open, "(", column));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new Token(TokenKind.Close, ")", column));
                    i++;
                    continue;
                case '"' or '\'':
                    tokens.Add(new Token(TokenKind.String, ReadString(text, ref i), column));
                    continue;
                case '=' or '<' or '>' or '~' or '!':
                    tokens.Add(new Token(TokenKind.Operator, ReadOperator(text, ref i), column));
                    continue;
                default:
                    int start = i;
                    while (i < text.Length && !IsDelimiter(text[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Word, text[start..i], column));
                    continue;
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, text.Length + 1));
        return tokens;
    }

    private static bool IsDelimiter(char c) => char.IsWhiteSpace(c) || c is '(' or ')' or '"' or '\'' or '=' or '<' or '>' or '~' or '!';

    private static string ReadOperator(string text, ref int i)
    {
        char c = text[i];
        char next = i + 1 < text.Length ? text[i + 1] : '\0';
        string op = (c, next) switch
        {
            ('=', '=') => "==",
            ('!', '=') => "!=",
            ('!', '~') => "!~",
            ('<', '=') => "<=",
            ('>', '=') => ">=",
            ('!', _) => throw new WhereSyntaxException(i + 1, "'!' must be followed by '=' or '~' (use 'not' to negate a condition)"),
            _ => c.ToString(),
        };
        i += op.Length;
        return op == "==" ? "=" : op;
    }

    private static string ReadString(string text, ref int i)
    {
        char quote = text[i];
        int start = i;
        var value = new StringBuilder();
        i++;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == quote)
            {
                i++;
                return value.ToString();
            }

            if (c == '\\' && i + 1 < text.Length && (text[i + 1] == quote || text[i + 1] == '\\' || text[i + 1] is '"' or '\''))
            {
                value.Append(text[i + 1]);
                i += 2;
                continue;
            }

            value.Append(c);
            i++;
        }

        throw new WhereSyntaxException(start + 1, $"unterminated string (no closing {quote})");
    }
}

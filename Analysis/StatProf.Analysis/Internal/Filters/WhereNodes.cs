namespace StatProf.Analysis.Internal.Filters;

/// <summary>Evaluation state of a filter over one set: per-frame and per-stack memos of frame conditions.</summary>
internal sealed class FilterContext(RecordSet set, int frameConditions)
{
    private readonly sbyte[]?[] _frameMemo = new sbyte[]?[frameConditions];
    private readonly sbyte[]?[] _stackMemo = new sbyte[]?[frameConditions];

    public RecordSet Set { get; } = set;

    public sbyte[] FrameMemo(int condition) => _frameMemo[condition] ??= new sbyte[Set.Frames.Count];

    public sbyte[] StackMemo(int condition) => _stackMemo[condition] ??= new sbyte[Set.Stacks.Count];
}

internal abstract class WhereNode
{
    public abstract bool Evaluate(Request request, FilterContext context);
}

internal sealed class AndNode(WhereNode left, WhereNode right) : WhereNode
{
    public override bool Evaluate(Request request, FilterContext context) => left.Evaluate(request, context) && right.Evaluate(request, context);
}

internal sealed class OrNode(WhereNode left, WhereNode right) : WhereNode
{
    public override bool Evaluate(Request request, FilterContext context) => left.Evaluate(request, context) || right.Evaluate(request, context);
}

internal sealed class NotNode(WhereNode operand) : WhereNode
{
    public override bool Evaluate(Request request, FilterContext context) => !operand.Evaluate(request, context);
}

/// <summary>How a string condition compares; the negated operators are a <see cref="NotNode"/> around these.</summary>
internal enum StringTest
{
    Equals,
    Contains,
}

/// <summary>A condition on one of the request's strings; an absent string (no error, no such tag) matches nothing.</summary>
internal sealed class StringNode(Func<Request, string?> field, StringTest test, string value) : WhereNode
{
    private readonly string _wrapped = "*" + value + "*";

    public override bool Evaluate(Request request, FilterContext context)
    {
        string? text = field(request);
        return text is not null && Matches(text);
    }

    public bool Matches(string text) => test == StringTest.Equals
        ? text.Equals(value, StringComparison.OrdinalIgnoreCase)
        : Glob.Contains(text, value, _wrapped, ignoreCase: true);
}

/// <summary>Comparison operators of numeric and time conditions.</summary>
internal enum Comparison
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>A condition on a number of the request (ms for durations); an absent number (no status) matches nothing but <c>!=</c>.</summary>
internal sealed class NumberNode(Func<Request, double?> field, Comparison comparison, double value) : WhereNode
{
    public override bool Evaluate(Request request, FilterContext context)
    {
        double? actual = field(request);
        if (actual is not { } x)
        {
            return comparison == Comparison.NotEqual;
        }

        return Compare(x, comparison, value);
    }

    public static bool Compare(double x, Comparison comparison, double value) => comparison switch
    {
        Comparison.Equal => x == value,
        Comparison.NotEqual => x != value,
        Comparison.Less => x < value,
        Comparison.LessOrEqual => x <= value,
        Comparison.Greater => x > value,
        _ => x >= value,
    };
}

/// <summary><c>thread=N</c>: the request ran on OS thread N at one of its samples.</summary>
internal sealed class ThreadNode(int osThread) : WhereNode
{
    public override bool Evaluate(Request request, FilterContext context)
    {
        foreach (ThreadRef thread in request.Threads)
        {
            if (thread.Os == osThread)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// <c>frame=NAME</c> / <c>frame~TEXT</c>: some sample of the request has a frame that matches.
/// Frames of the raw stacks (before ignore rules), memoized per frame and per stack.
/// </summary>
internal sealed class FrameNode(int condition, StringTest test, string value) : WhereNode
{
    private readonly StringNode _text = new(_ => null, test, value);

    public override bool Evaluate(Request request, FilterContext context)
    {
        sbyte[] stackMemo = context.StackMemo(condition);
        foreach (int stack in request.StackCounts.Keys)
        {
            sbyte known = stackMemo[stack];
            if (known == 0)
            {
                known = stackMemo[stack] = StackMatches(stack, context) ? (sbyte)1 : (sbyte)-1;
            }

            if (known > 0)
            {
                return true;
            }
        }

        return false;
    }

    private bool StackMatches(int stack, FilterContext context)
    {
        sbyte[] frameMemo = context.FrameMemo(condition);
        foreach (int frame in context.Set.Stacks.Get(stack))
        {
            sbyte known = frameMemo[frame];
            if (known == 0)
            {
                known = frameMemo[frame] = FrameMatches(context.Set.Frames.Name(frame)) ? (sbyte)1 : (sbyte)-1;
            }

            if (known > 0)
            {
                return true;
            }
        }

        return false;
    }

    private bool FrameMatches(string name)
    {
        if (_text.Matches(name))
        {
            return true;
        }

        // frame=Shop.Pricing.PriceLine also matches Shop.Pricing.PriceLine(int32).
        int paren = name.IndexOf('(', StringComparison.Ordinal);
        return test == StringTest.Equals && paren > 0 && _text.Matches(name[..paren]);
    }
}

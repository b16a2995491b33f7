using StatProf.Analysis.Tests.Support;

namespace StatProf.Analysis.Tests.Filters;

public sealed class RequestFilterTests
{
    private static readonly RecordSet Set = MakeSet();

    [Theory]
    [InlineData("duration>2s", "orders,report")]
    [InlineData("duration>=4500ms", "report")]
    [InlineData("duration<0.05m", "orders,job")]
    [InlineData("duration > 3s", "report")]
    [InlineData("name~\"/orders\"", "orders")]
    [InlineData("name~/ORDERS", "orders")]
    [InlineData("name = 'GET /report'", "report")]
    [InlineData("name==\"GET /report\"", "report")]
    [InlineData("name~\"GET /*/4?\"", "orders")]
    [InlineData("name!~orders", "report,job")]
    [InlineData("kind=job", "job")]
    [InlineData("frame~\"PriceLine\"", "orders")]
    [InlineData("frame=Shop.Pricing.PriceLine", "orders")]
    [InlineData("frame!~Lock", "orders,job")]
    [InlineData("tag.User-Agent~\"curl\"", "orders,report")]
    [InlineData("tag.user-agent=\"curl/8\"", "orders,report")]
    [InlineData("tag.Tenant!=acme", "orders,job")]
    [InlineData("outcome=error", "report")]
    [InlineData("outcome=unfinished", "job")]
    [InlineData("status>=500", "report")]
    [InlineData("status!=200", "report,job")]
    [InlineData("error~Timeout", "report")]
    [InlineData("thread=42", "job")]
    [InlineData("thread!=42", "orders,report")]
    [InlineData("samples>2", "report")]
    [InlineData("pid=123", "orders,report,job")]
    [InlineData("id=o1 or id=r1", "orders,report")]
    [InlineData("start>=2026-11-21T21:40:30Z", "job")]
    [InlineData("end<\"2026-11-21T21:40:10Z\"", "orders,report")]
    [InlineData("end>=2026-11-21T22:40:20+01:00 and start<2026-11-21T21:41:00Z", "job")]
    [InlineData("duration>2s and name~\"/orders\" and frame~\"PriceLine\" and tag.User-Agent~\"curl\"", "orders")]
    [InlineData("not (kind=job or outcome=error)", "orders")]
    [InlineData("NOT kind=job AND duration>4s OR id=j1", "report,job")]
    [InlineData("kind=http and (status=500 or name~orders)", "orders,report")]
    public void GoodExpressionsSelectTheRightRequests(string expression, string expected)
    {
        var filter = RequestFilter.Parse(expression);

        string matched = string.Join(",", Set.Requests.Where(r => filter.Matches(Set, r)).Select(r => r.Name switch
        {
            "GET /orders/42" => "orders",
            "GET /report" => "report",
            _ => "job",
        }));

        Assert.Equal(expected, matched);
    }

    [Theory]
    [InlineData("", "empty expression")]
    [InlineData("   ", "empty expression")]
    [InlineData("durration>2s", "column 1: unknown field 'durration'")]
    [InlineData("duration", "column 9: expected an operator")]
    [InlineData("duration>", "column 10: expected a value after 'duration >'")]
    [InlineData("duration>2x", "unknown unit 'x'")]
    [InlineData("duration>fast", "unknown unit 'fast'")]
    [InlineData("duration~2s", "operator '~' does not apply to duration")]
    [InlineData("name>3", "operator '>' does not apply to name")]
    [InlineData("status>=5xx", "'5xx' is not a number")]
    [InlineData("name~\"/orders", "column 6: unterminated string")]
    [InlineData("(duration>2s", "expected ')' to close the '(' at column 1")]
    [InlineData("duration>2s)", "column 12: unbalanced ')'")]
    [InlineData("duration>2s name~x", "column 13: expected 'and', 'or' or the end, found 'name'")]
    [InlineData("duration>2s and", "expected a field")]
    [InlineData("and duration>2s", "column 1: expected a field")]
    [InlineData("name!orders", "'!' must be followed by '=' or '~'")]
    [InlineData("tag.=x", "'tag.' needs a tag name")]
    [InlineData("start>yesterday", "'yesterday' is not a time")]
    [InlineData("thread>3", "operator '>' does not apply to thread")]
    [InlineData("name=(x)", "expected a value after 'name ='")]
    public void BadExpressionsFailWithOneClearLine(string expression, string expected)
    {
        var error = Assert.Throws<WhereSyntaxException>(() => RequestFilter.Parse(expression));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(RequestFilter.TryParse(expression, out _, out string? message));
        Assert.Equal(error.Message, message);
    }

    private static RecordSet MakeSet()
    {
        var orders = new FakeRequest("o1", "GET /orders/42");
        var report = new FakeRequest("r1", "GET /report");
        report.Tags["Tenant"] = "acme";
        var job = new FakeRequest("j1", "nightly-export", osThread: 42, thresholdMs: 1000) { Kind = "job", TraceId = null, StartedAt = Records.T0.AddSeconds(40) };
        job.Tags.Clear();
        return Read.Lines(
            Records.Header(pid: 123),
            orders.Dump(1, "Main()", "Shop.Pricing.PriceLine(int32)"),
            orders.Dump(2, "Main()", "Shop.Pricing.PriceLine(int32)", "Tax()"),
            orders.End(2500),
            report.Dump(1, DumpState.Waiting, "Main()", "Report()", "Lock.Enter()"),
            report.Same(2, 1, DumpState.Waiting),
            report.Same(3, 1, DumpState.Waiting),
            report.End(5000, "error", 500, "System.TimeoutException"),
            job.Dump(1, "Export()"));
    }
}

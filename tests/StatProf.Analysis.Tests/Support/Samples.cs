namespace StatProf.Analysis.Tests.Support;

/// <summary>A small but complete record file: an order page dying by a thousand cuts, a report blocked on a lock, a short job.</summary>
internal static class Samples
{
    public static List<string> ShopLines()
    {
        var lines = new List<string> { Records.Header(pid: 4242) };
        string[] helpers = ["Shop.Pricing.BasePrice(int32)", "Shop.Pricing.Discount(int32)", "Shop.Pricing.Tax(int32)"];
        for (int i = 0; i < 3; i++)
        {
            var orders = new FakeRequest($"o{i}", $"GET /orders/{i}");
            for (int dump = 1; dump <= 6; dump++)
            {
                lines.Add(orders.Dump(dump, "Program.<Main>$(class System.String[])", "Shop.Orders.Get(int32)", "Shop.Pricing.PriceLine(int32)", helpers[(dump + i) % 3]));
            }

            lines.Add(orders.End(8000 + i));
        }

        var report = new FakeRequest("r1", "GET /report");
        lines.Add(report.Dump(1, DumpState.Waiting, "Program.<Main>$(class System.String[])", "Shop.Reports.Build()", "System.Threading.Monitor.Enter_Slowpath(class System.Object)"));
        for (int dump = 2; dump <= 4; dump++)
        {
            lines.Add(report.Same(dump, 1, DumpState.Waiting));
        }

        lines.Add(report.End(6100, "error", 500, "System.TimeoutException"));
        var job = new FakeRequest("j1", "export") { Kind = "job" };
        lines.Add(job.Dump(1, "Shop.Jobs.Export()"));
        lines.Add(job.End(2050));
        return lines;
    }
}

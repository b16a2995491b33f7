using System.Diagnostics;
using System.Runtime.CompilerServices;
using StatProf.ShopDemo.Catalog;
using StatProf.ShopDemo.Database;

namespace StatProf.ShopDemo.Reports;

/// <summary>What <c>GET /report</c> answers.</summary>
/// <param name="Products">Number of products counted.</param>
/// <param name="UnitsInStock">Units in stock, all products.</param>
/// <param name="StockValue">Value of the stock at unit prices, in euros.</param>
/// <param name="DatabaseWaitMs">How long the report waited for the database, in milliseconds.</param>
internal sealed record StockReportView(int Products, int UnitsInStock, decimal StockValue, long DatabaseWaitMs);

/// <summary>
/// The stock report: quick once it has the database, but it needs the database, so it waits
/// (blocking its thread) whenever the backup holds it.
/// </summary>
internal sealed class StockReport(ProductCatalog catalog, ShopDatabase database)
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public StockReportView Build()
    {
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<StockLevel> levels = database.ReadStockLevels();
        long waitedMs = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        decimal value = 0m;
        int units = 0;
        foreach (StockLevel level in levels)
        {
            units += level.Units;
            value += catalog[level.Sku].UnitPrice * level.Units;
        }

        return new StockReportView(levels.Count, units, value, waitedMs);
    }
}

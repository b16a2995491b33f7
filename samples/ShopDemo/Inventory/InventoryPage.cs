using System.Runtime.CompilerServices;
using StatProf.ShopDemo.Catalog;

namespace StatProf.ShopDemo.Inventory;

/// <summary>One row of the inventory page.</summary>
internal sealed record InventoryRow(int Sku, string Name, int Units, int RestockDays);

/// <summary>What <c>GET /inventory</c> answers.</summary>
internal sealed record InventoryView(int Products, int UnitsInWarehouse, IReadOnlyList<InventoryRow> LowStock);

/// <summary>
/// The inventory page: a little CPU to prepare the question, a long await on the warehouse, a
/// little CPU to lay out the answer. Slow, but almost none of its time is spent on a thread.
/// </summary>
internal sealed class InventoryPage(ProductCatalog catalog, WarehouseClient warehouse)
{
    private const int LowStockUnits = 50;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public async Task<InventoryView> BuildAsync(CancellationToken cancel)
    {
        int[] skus = catalog.Products.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Sku).ToArray();
        IReadOnlyList<WarehouseStock> stock = await warehouse.FetchStockAsync(skus, cancel);
        InventoryRow[] lowStock = stock
            .Where(s => s.Units < LowStockUnits)
            .Select(s => new InventoryRow(s.Sku, catalog[s.Sku].Name, s.Units, s.RestockDays))
            .OrderBy(r => r.Units)
            .ThenBy(r => r.Sku)
            .ToArray();
        return new InventoryView(stock.Count, stock.Sum(s => s.Units), lowStock);
    }
}

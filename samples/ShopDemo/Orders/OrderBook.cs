using StatProf.ShopDemo.Catalog;

namespace StatProf.ShopDemo.Orders;

/// <summary>One line of an order: so many units of a product at the price agreed when ordered.</summary>
internal sealed record OrderLine(int Sku, int Quantity, decimal UnitPrice, decimal DiscountRate, decimal TaxRate);

/// <summary>A customer's order: many lines (a print shop's bulk orders) and the customer's credit limit.</summary>
internal sealed record Order(int Id, decimal CreditLimit, IReadOnlyList<OrderLine> Lines);

/// <summary>
/// The orders, made up on demand from their id: the same id always gives the same order. An order
/// has 5 000 to 5 999 lines at <see cref="ShopOptions.Scale"/> 1.0.
/// </summary>
internal sealed class OrderBook
{
    private readonly ProductCatalog _catalog;
    private readonly double _lineFactor;

    public OrderBook(ProductCatalog catalog, double scale)
    {
        _catalog = catalog;
        // Pricing is quadratic in the number of lines (see OrderPricing.PriceOrder), so the work
        // scales with Scale when the line count scales with its square root.
        _lineFactor = Math.Sqrt(scale);
    }

    /// <summary>The order with this id, or null when no such order exists (ids start at 1).</summary>
    public Order? Find(int id)
    {
        if (id < 1)
        {
            return null;
        }

        var random = new Random(id); // fixed seed per id: the same order, hence the same work, on every run
        int baseLines = 5000 + (int)((uint)id * 7919u % 1000u);
        int count = Math.Max(1, (int)Math.Round(baseLines * _lineFactor));
        var lines = new OrderLine[count];
        for (int i = 0; i < count; i++)
        {
            Product product = _catalog[random.Next(1, ProductCatalog.Size + 1)];
            int quantity = random.Next(1, 50);
            decimal discountRate = random.Next(4) == 0 ? 0.10m : 0m; // a quarter of the lines are on promotion
            lines[i] = new OrderLine(product.Sku, quantity, product.UnitPrice, discountRate, product.TaxRate);
        }

        decimal creditLimit = 1_000_000m + id % 10 * 100_000m;
        return new Order(id, creditLimit, lines);
    }
}

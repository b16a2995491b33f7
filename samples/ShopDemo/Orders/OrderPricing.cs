using System.Runtime.CompilerServices;

namespace StatProf.ShopDemo.Orders;

/// <summary>What <c>GET /orders/{id}</c> answers.</summary>
/// <param name="Id">The order's id.</param>
/// <param name="Lines">Number of lines.</param>
/// <param name="Total">Total price, tax included.</param>
/// <param name="Currency">Currency of <paramref name="Total"/>.</param>
/// <param name="CreditLimitReachedAtLine">The line at which the running total passed the customer's credit limit, if it did.</param>
internal sealed record OrderQuote(int Id, int Lines, decimal Total, string Currency, int? CreditLimitReachedAtLine);

/// <summary>
/// Prices orders: the talk's ERP5 case, "death by 1000 cuts". Each helper is a little decimal
/// arithmetic and none dominates a profile; the time goes into how often
/// <see cref="PriceOrder"/> calls them. The helpers are never inlined so that each shows as a
/// frame in sampled stacks.
/// </summary>
internal static class OrderPricing
{
    /// <summary>
    /// Prices the order the way the original code did. After each line, the credit check needs the
    /// running total, and since a line's price is computed on demand and never stored, the loop
    /// re-prices every line so far: lines² / 2 calls to <see cref="PriceLine"/>. This loop is the
    /// place to optimize (price each line once and keep the running sum), not the helpers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static OrderQuote PriceOrder(Order order)
    {
        IReadOnlyList<OrderLine> lines = order.Lines;
        decimal total = 0m;
        int? limitReachedAt = null;
        for (int i = 0; i < lines.Count; i++)
        {
            total = 0m;
            for (int j = 0; j <= i; j++)
            {
                total += PriceLine(lines[j]);
            }

            if (limitReachedAt is null && total > order.CreditLimit)
            {
                limitReachedAt = i + 1;
            }
        }

        return new OrderQuote(order.Id, lines.Count, total, "EUR", limitReachedAt);
    }

    /// <summary>The price of one line, tax included, rounded to the cent.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static decimal PriceLine(OrderLine line)
    {
        decimal basePrice = BasePrice(line);
        decimal net = basePrice - Discount(line, basePrice);
        return Round(net + Tax(line, net));
    }

    /// <summary>Units times unit price, with a quantity break: 2 % off from 10 units, 5 % from 25.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static decimal BasePrice(OrderLine line)
    {
        decimal amount = line.UnitPrice * line.Quantity;
        decimal breakRate = line.Quantity >= 25 ? 0.95m : line.Quantity >= 10 ? 0.98m : 1m;
        return amount * breakRate;
    }

    /// <summary>The promotional discount on a line's base price.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static decimal Discount(OrderLine line, decimal basePrice) => basePrice * line.DiscountRate;

    /// <summary>The value-added tax on a line's net price.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static decimal Tax(OrderLine line, decimal net) => net * line.TaxRate;

    /// <summary>Rounds to the cent, half to even.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.ToEven);
}

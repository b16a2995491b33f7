using System.Runtime.CompilerServices;

/// <summary>The known method: a loop whose one expensive call is the call site the tests look for.</summary>
internal static class Pricing
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double PriceAll(int lines)
    {
        double total = 0;
        for (int i = 0; i < lines; i++)
        {
            total += Discount(i);
            total += PriceLine(i); // the call site
            total += Discount(total);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double PriceLine(int line)
    {
        double price = 0;
        for (int i = 1; i < 20_000; i++)
        {
            price += Math.Sqrt(i + line);
        }

        return price;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Discount(double value) => value > 1e12 ? value * 0.01 : value * 1e-9;
}

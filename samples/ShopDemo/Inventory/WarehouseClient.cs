using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace StatProf.ShopDemo.Inventory;

/// <summary>Units the warehouse has of one product, and when it can restock.</summary>
internal sealed record WarehouseStock(int Sku, int Units, int RestockDays);

/// <summary>
/// Client of the warehouse, a slow remote service. The call is simulated: it answers after
/// <see cref="ShopOptions.DependencyDelayMs"/>, during which the request runs on no thread.
/// </summary>
internal sealed class WarehouseClient(IOptions<ShopOptions> options)
{
    private readonly TimeSpan _delay = TimeSpan.FromMilliseconds(options.Value.DependencyDelayMs);

    /// <summary>Asks the warehouse for the stock of these products.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public async Task<IReadOnlyList<WarehouseStock>> FetchStockAsync(IReadOnlyList<int> skus, CancellationToken cancel)
    {
        await Task.Delay(_delay, cancel); // the network round trip and the warehouse's own slowness
        var answer = new WarehouseStock[skus.Count];
        for (int i = 0; i < skus.Count; i++)
        {
            int sku = skus[i];
            answer[i] = new WarehouseStock(sku, sku * 37 % 900, sku % 14 + 1);
        }

        return answer;
    }
}

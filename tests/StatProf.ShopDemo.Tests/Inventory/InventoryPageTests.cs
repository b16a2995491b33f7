namespace StatProf.ShopDemo.Tests.Inventory;

public sealed class InventoryPageTests
{
    [Fact]
    public async Task InventoryPageTakesAtLeastTheWarehouseDelay()
    {
        await using ShopServer shop = await ShopServer.StartAsync("--Shop:DependencyDelayMs=400");

        var (inventory, elapsed) = await shop.GetJsonAsync("/inventory");

        Assert.Equal(200, inventory.GetProperty("products").GetInt32());
        Assert.True(inventory.GetProperty("lowStock").GetArrayLength() > 0);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(400), $"took {elapsed.TotalMilliseconds} ms");
    }
}

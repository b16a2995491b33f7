namespace StatProf.ShopDemo.Tests.Orders;

public sealed class OrderPageTests
{
    [Fact]
    public async Task OrderPageAnswersTheSameTotalForTheSameOrderEveryTime()
    {
        await using ShopServer shop = await ShopServer.StartAsync();

        var (first, _) = await shop.GetJsonAsync("/orders/42?token=s3cret");
        var (second, _) = await shop.GetJsonAsync("/orders/42?token=other");

        Assert.Equal(42, first.GetProperty("id").GetInt32());
        Assert.Equal("EUR", first.GetProperty("currency").GetString());
        Assert.True(first.GetProperty("lines").GetInt32() > 500, first.ToString());
        Assert.True(first.GetProperty("total").GetDecimal() > 0, first.ToString());
        Assert.Equal(first.GetProperty("total").GetDecimal(), second.GetProperty("total").GetDecimal());
        Assert.DoesNotContain("s3cret", first.ToString(), StringComparison.Ordinal); // the token is never echoed
    }

    [Fact]
    public async Task OrderPageTakesLongerThanTheHomePage()
    {
        await using ShopServer shop = await ShopServer.StartAsync();
        await shop.GetJsonAsync("/");
        await shop.GetJsonAsync("/orders/1?token=t"); // first calls pay for JIT compilation

        TimeSpan home = await MedianAsync(shop, "/");
        TimeSpan order = await MedianAsync(shop, "/orders/2?token=t");

        Assert.True(order > home, $"order {order.TotalMilliseconds} ms, home {home.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task ScaleMakesTheOrderPageDoMoreWork()
    {
        await using ShopServer small = await ShopServer.StartAsync("--Shop:Scale=0.01");
        await using ShopServer larger = await ShopServer.StartAsync("--Shop:Scale=0.04");

        int smallLines = (await small.GetJsonAsync("/orders/7")).Json.GetProperty("lines").GetInt32();
        int largerLines = (await larger.GetJsonAsync("/orders/7")).Json.GetProperty("lines").GetInt32();

        // Pricing is quadratic in the line count, so four times the work takes twice the lines.
        Assert.InRange(largerLines, 2 * smallLines - 1, 2 * smallLines + 1);
    }

    [Theory]
    [InlineData("/orders/0")]
    [InlineData("/orders/-3")]
    [InlineData("/orders/abc")]
    public async Task OrderPageAnswers404ForAnOrderThatDoesNotExist(string path)
    {
        await using ShopServer shop = await ShopServer.StartAsync();

        using HttpResponseMessage response = await shop.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<TimeSpan> MedianAsync(ShopServer shop, string path)
    {
        var times = new List<TimeSpan>();
        for (int i = 0; i < 3; i++)
        {
            times.Add((await shop.GetJsonAsync(path)).Elapsed);
        }

        times.Sort();
        return times[1];
    }
}

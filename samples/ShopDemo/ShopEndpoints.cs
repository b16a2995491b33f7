using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using StatProf.ShopDemo.Catalog;
using StatProf.ShopDemo.Database;
using StatProf.ShopDemo.Inventory;
using StatProf.ShopDemo.Orders;
using StatProf.ShopDemo.Reports;

namespace StatProf.ShopDemo;

/// <summary>What <c>GET /</c> answers.</summary>
internal sealed record HomeView(string Shop, IReadOnlyList<string> Pages);

/// <summary>What <c>GET /products</c> answers.</summary>
internal sealed record ProductsView(int Count, IReadOnlyList<Product> Products);

/// <summary>What <c>GET /health</c> answers.</summary>
internal sealed record HealthView(string Status, bool BackupRunning);

/// <summary>
/// The shop's pages. Handlers are named methods, never inlined, so that sampled stacks read
/// <c>ShopEndpoints.Order</c> rather than a compiler-generated lambda name.
/// </summary>
internal static class ShopEndpoints
{
    private static readonly HomeView HomePage = new(
        "StatProf demo shop",
        ["/products", "/orders/{id}?token=...", "/report", "/inventory", "/health"]);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home);
        app.MapGet("/products", Products);
        app.MapGet("/orders/{id:int}", Order);
        app.MapGet("/report", Report);
        app.MapGet("/inventory", Inventory);
        app.MapGet("/health", Health);
    }

    /// <summary>Fast: a fixed page.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Ok<HomeView> Home() => TypedResults.Ok(HomePage);

    /// <summary>Fast: the catalog, from memory.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Ok<ProductsView> Products(ProductCatalog catalog) =>
        TypedResults.Ok(new ProductsView(catalog.Products.Count, catalog.Products));

    /// <summary>
    /// Slow on the CPU: prices the order (see <see cref="OrderPricing.PriceOrder"/>). The query string
    /// may carry <c>token=…</c>, as an emailed order link would; the shop neither checks nor echoes it,
    /// so it is there for a request logger to redact.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Results<Ok<OrderQuote>, NotFound> Order(int id, OrderBook orders) =>
        orders.Find(id) is { } order ? TypedResults.Ok(OrderPricing.PriceOrder(order)) : TypedResults.NotFound();

    /// <summary>Slow while the backup runs: blocks on the database lock (see <see cref="ShopDatabase"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Ok<StockReportView> Report(StockReport report) => TypedResults.Ok(report.Build());

    /// <summary>Slow but idle: awaits the warehouse (see <see cref="WarehouseClient"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<Ok<InventoryView>> Inventory(InventoryPage page, CancellationToken cancel) =>
        TypedResults.Ok(await page.BuildAsync(cancel));

    /// <summary>Fast: says whether the shop is up and whether a backup is running.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Ok<HealthView> Health(ShopDatabase database) => TypedResults.Ok(new HealthView("ok", database.BackupRunning));
}

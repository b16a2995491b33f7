using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using StatProf.ShopDemo.Catalog;
using StatProf.ShopDemo.Database;
using StatProf.ShopDemo.Inventory;
using StatProf.ShopDemo.Orders;
using StatProf.ShopDemo.Reports;

namespace StatProf.ShopDemo;

/// <summary>
/// Builds the demo shop, in two steps so that a host can add its own services and middleware in
/// between (as <c>statprof</c> does to profile the shop in-process):
/// <code>
/// var builder = ShopApp.CreateBuilder(args);
/// // builder.Services.Add…
/// var app = ShopApp.Build(builder);
/// // app.Use…
/// app.Run();
/// </code>
/// Everything the shop keeps (catalog, database lock, backup job) lives in the app's services, so
/// several shops can run in one process.
/// </summary>
public static class ShopApp
{
    /// <summary>Where the shop listens when no URL is given.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Log levels the shop starts with; appsettings, environment variables and arguments override
    /// them. Per-request logs from ASP.NET Core are off: they would drown the console (and print
    /// each order link's token).
    /// </summary>
    private static readonly KeyValuePair<string, string?>[] DefaultSettings =
    [
        new("Logging:LogLevel:Default", "Information"),
        new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
    ];

    /// <summary>
    /// Creates the shop's builder from command-line <paramref name="args"/>: reads the <c>Shop:*</c>
    /// settings (validated when the app starts), registers the shop's services and binds Kestrel to
    /// 127.0.0.1 only: <see cref="DefaultUrl"/> unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) gives
    /// other <c>http://127.0.0.1:port</c> addresses; port 0 picks a free port, which Kestrel logs.
    /// </summary>
    /// <exception cref="ArgumentException">A URL is not <c>http://127.0.0.1:port</c>, or Kestrel endpoints are configured.</exception>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

        // First source, so that every other source overrides it.
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultSettings });
        if (BindToLoopback(builder) is { } refusal)
        {
            throw new ArgumentException(refusal, nameof(args));
        }

        IServiceCollection services = builder.Services;
        services.AddOptions<ShopOptions>().BindConfiguration(ShopOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShopOptions>, ShopOptionsValidator>();
        services.AddSingleton<ProductCatalog>();
        services.AddSingleton(sp => new OrderBook(sp.GetRequiredService<ProductCatalog>(), sp.GetRequiredService<IOptions<ShopOptions>>().Value.Scale));
        services.AddSingleton<ShopDatabase>();
        services.AddSingleton<StockReport>();
        services.AddSingleton<WarehouseClient>();
        services.AddSingleton<InventoryPage>();
        services.AddHostedService<BackupJob>();
        return builder;
    }

    /// <summary>
    /// Builds the app and maps the shop's pages. Middleware added to the returned app still runs
    /// before the pages: the pipeline is routing, then whatever the host adds, then the endpoints.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WebApplication app = builder.Build();
        ShopEndpoints.Map(app);
        return app;
    }

    /// <summary>Makes Kestrel listen on 127.0.0.1 only; returns why it cannot, or null.</summary>
    private static string? BindToLoopback(WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            return "The demo shop takes its address from --urls only; remove the Kestrel:Endpoints settings.";
        }

        string? urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls))
        {
            // Also keeps ASPNETCORE_HTTP_PORTS (set in container images) from binding every interface.
            builder.WebHost.UseUrls(DefaultUrl);
            return null;
        }

        foreach (string url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool loopback = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
                && uri.Scheme == Uri.UriSchemeHttp
                && uri.Host == "127.0.0.1"
                && uri.AbsolutePath == "/";
            if (!loopback)
            {
                return $"The demo shop listens on http://127.0.0.1:<port> only; '{url}' is not allowed.";
            }
        }

        return null;
    }
}

namespace StatProf.ShopDemo.Catalog;

/// <summary>A product the shop sells.</summary>
/// <param name="Sku">Stock-keeping unit, 1 to <see cref="ProductCatalog.Size"/>.</param>
/// <param name="Name">Display name.</param>
/// <param name="UnitPrice">Price of one unit before discount and tax.</param>
/// <param name="TaxRate">Value-added tax rate, e.g. 0.20 for 20 %.</param>
internal sealed record Product(int Sku, string Name, decimal UnitPrice, decimal TaxRate);

/// <summary>The in-memory catalog: a fixed list of products, the same on every run.</summary>
internal sealed class ProductCatalog
{
    /// <summary>Number of products in the catalog.</summary>
    public const int Size = 200;

    private static readonly string[] Kinds = ["T-shirt", "Hoodie", "Cap", "Mug", "Poster", "Tote bag", "Sticker", "Notebook"];
    private static readonly string[] Colours = ["black", "white", "red", "navy", "olive"];

    public ProductCatalog()
    {
        var random = new Random(2013); // fixed seed: the same catalog on every run, so profiles compare
        var products = new Product[Size];
        for (int i = 0; i < Size; i++)
        {
            string name = $"{Kinds[i % Kinds.Length]}, {Colours[i / Kinds.Length % Colours.Length]} #{i + 1}";
            decimal unitPrice = Math.Round(2m + (decimal)random.NextDouble() * 58m, 2);
            decimal taxRate = i % Kinds.Length == 6 ? 0.055m : 0.20m; // stickers count as printed matter
            products[i] = new Product(i + 1, name, unitPrice, taxRate);
        }

        Products = products;
    }

    /// <summary>All products, by SKU order.</summary>
    public IReadOnlyList<Product> Products { get; }

    /// <summary>The product with this SKU (1 to <see cref="Size"/>).</summary>
    public Product this[int sku] => Products[sku - 1];
}

using System.Runtime.CompilerServices;
using StatProf.ShopDemo.Catalog;

namespace StatProf.ShopDemo.Database;

/// <summary>Units in stock of one product.</summary>
internal sealed record StockLevel(int Sku, int Units);

/// <summary>
/// The shop's database, in memory, behind one lock as a single-connection store would be. One
/// instance per app (a singleton service), so two apps in one process do not share the lock.
/// </summary>
internal sealed class ShopDatabase
{
    // A plain object locked with `lock` (Monitor), not System.Threading.Lock: blocked requests then
    // show Monitor.Enter frames, which is what a .NET profile of a lock wait usually looks like.
    private readonly object _gate = new();
    private readonly StockLevel[] _stock;
    private volatile bool _backupRunning;

    public ShopDatabase(ProductCatalog catalog)
    {
        var random = new Random(1977); // fixed seed: the same stock on every run
        _stock = catalog.Products.Select(p => new StockLevel(p.Sku, random.Next(0, 500))).ToArray();
    }

    /// <summary>True while a backup holds the database lock.</summary>
    public bool BackupRunning => _backupRunning;

    /// <summary>
    /// Reads every product's stock level. Waits, blocking the calling thread, while a backup holds
    /// the database.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public IReadOnlyList<StockLevel> ReadStockLevels()
    {
        lock (_gate)
        {
            return (StockLevel[])_stock.Clone();
        }
    }

    /// <summary>
    /// Backs the database up: holds its lock for <paramref name="hold"/> (the copy), or until
    /// <paramref name="cancel"/> fires.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RunBackup(TimeSpan hold, CancellationToken cancel)
    {
        lock (_gate)
        {
            _backupRunning = true;
            try
            {
                cancel.WaitHandle.WaitOne(hold);
            }
            finally
            {
                _backupRunning = false;
            }
        }
    }
}

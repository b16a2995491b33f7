using Microsoft.Extensions.Options;

namespace StatProf.ShopDemo.Database;

/// <summary>
/// The talk's Plone case: a scheduled backup that holds the database for seconds at a time, so
/// pages that need the database stall while it runs. Starts a backup every
/// <see cref="ShopOptions.BackupEveryMs"/>, each holding the lock for <see cref="ShopOptions.BackupHoldMs"/>.
/// </summary>
internal sealed class BackupJob(ShopDatabase database, IOptions<ShopOptions> options, ILogger<BackupJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ShopOptions settings = options.Value;
        var hold = TimeSpan.FromMilliseconds(settings.BackupHoldMs);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.BackupEveryMs));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Synchronous on purpose: the backup owns a thread while it holds the lock,
                    // as a backup tool's connection would.
                    database.RunBackup(hold, stoppingToken);
                }
                catch (Exception ex)
                {
                    // Never let a failed backup stop the shop (STYLE.md §7): report it and try next time.
                    logger.LogError(ex, "Backup failed; the next one starts on schedule.");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }
}

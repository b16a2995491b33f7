namespace StatProf.ShopDemo.Tests.Reports;

public sealed class StockReportTests
{
    [Fact]
    public async Task ReportWaitsWhileTheBackupHoldsTheDatabaseAndNotAfter()
    {
        // A backup every 3 s holding the lock for 1.2 s: 1.8 s free between backups.
        await using ShopServer shop = await ShopServer.StartAsync("--Shop:BackupEveryMs=3000", "--Shop:BackupHoldMs=1200");

        // A loaded machine can deliver the request to the lock after most of the hold has passed:
        // the request must meet a held lock in at least one of three backups.
        System.Text.Json.JsonElement during = default;
        TimeSpan duringElapsed = TimeSpan.Zero;
        for (int backup = 0; backup < 3; backup++)
        {
            await shop.WaitForBackupAsync(running: true, TimeSpan.FromSeconds(10));
            (during, duringElapsed) = await shop.GetJsonAsync("/report");
            if (during.GetProperty("databaseWaitMs").GetInt64() >= 600)
            {
                break;
            }

            await shop.WaitForBackupAsync(running: false, TimeSpan.FromSeconds(10));
        }

        await shop.WaitForBackupAsync(running: false, TimeSpan.FromSeconds(10));
        var (after, afterElapsed) = await shop.GetJsonAsync("/report");

        Assert.Equal(200, during.GetProperty("products").GetInt32());
        Assert.True(during.GetProperty("stockValue").GetDecimal() > 0);
        Assert.Equal(during.GetProperty("stockValue").GetDecimal(), after.GetProperty("stockValue").GetDecimal());

        // Started while the backup held the lock: waited for at least half of the 1.2 s hold.
        Assert.True(duringElapsed >= TimeSpan.FromMilliseconds(600), $"report during the backup took {duringElapsed.TotalMilliseconds} ms");
        Assert.True(during.GetProperty("databaseWaitMs").GetInt64() >= 600, during.ToString());
        Assert.True(afterElapsed < duringElapsed, $"after {afterElapsed.TotalMilliseconds} ms, during {duringElapsed.TotalMilliseconds} ms");
        Assert.True(after.GetProperty("databaseWaitMs").GetInt64() < during.GetProperty("databaseWaitMs").GetInt64(), after.ToString());
    }
}

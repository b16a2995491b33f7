namespace StatProf.ShopDemo.Tests.Reports;

public sealed class StockReportTests
{
    [Fact]
    public async Task ReportWaitsWhileTheBackupHoldsTheDatabaseAndNotAfter()
    {
        // A backup every 3 s holding the lock for 1.2 s: 1.8 s free between backups.
        await using ShopServer shop = await ShopServer.StartAsync("--Shop:BackupEveryMs=3000", "--Shop:BackupHoldMs=1200");

        await shop.WaitForBackupAsync(running: true, TimeSpan.FromSeconds(10));
        var (during, duringElapsed) = await shop.GetJsonAsync("/report");
        await shop.WaitForBackupAsync(running: false, TimeSpan.FromSeconds(10));
        var (after, afterElapsed) = await shop.GetJsonAsync("/report");

        Assert.Equal(200, during.GetProperty("products").GetInt32());
        Assert.True(during.GetProperty("stockValue").GetDecimal() > 0);
        Assert.Equal(during.GetProperty("stockValue").GetDecimal(), after.GetProperty("stockValue").GetDecimal());

        // Started while the backup held the lock: waited for most of the 1.2 s hold.
        Assert.True(duringElapsed >= TimeSpan.FromMilliseconds(600), $"report during the backup took {duringElapsed.TotalMilliseconds} ms");
        Assert.True(during.GetProperty("databaseWaitMs").GetInt64() >= 600, during.ToString());
        Assert.True(afterElapsed < duringElapsed, $"after {afterElapsed.TotalMilliseconds} ms, during {duringElapsed.TotalMilliseconds} ms");
        Assert.True(after.GetProperty("databaseWaitMs").GetInt64() < during.GetProperty("databaseWaitMs").GetInt64(), after.ToString());
    }
}

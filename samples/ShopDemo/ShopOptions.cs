using Microsoft.Extensions.Options;

namespace StatProf.ShopDemo;

/// <summary>
/// The shop's settings, bound from the configuration section <c>Shop</c> (for example
/// <c>--Shop:Scale=0.05</c> on the command line), validated when the app starts and read once.
/// </summary>
internal sealed class ShopOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string Section = "Shop";

    /// <summary>
    /// Multiplies the CPU work of <c>GET /orders/{id}</c> (about 2–3 s at 1.0 on a 2-core machine).
    /// Tests use a small value. Range: greater than 0, at most 10. Default: 1.0.
    /// </summary>
    public double Scale { get; set; } = 1.0;

    /// <summary>
    /// How often the backup job starts, in milliseconds, measured from one start to the next.
    /// Must be greater than <see cref="BackupHoldMs"/>. Default: 5000.
    /// </summary>
    public int BackupEveryMs { get; set; } = 5000;

    /// <summary>How long each backup holds the database lock, in milliseconds. At least 1. Default: 3000.</summary>
    public int BackupHoldMs { get; set; } = 3000;

    /// <summary>
    /// How long the warehouse (the remote dependency of <c>GET /inventory</c>) takes to answer, in
    /// milliseconds. At least 0. Default: 2500.
    /// </summary>
    public int DependencyDelayMs { get; set; } = 2500;
}

/// <summary>Refuses settings that would make the demo meaningless, with one message per problem.</summary>
internal sealed class ShopOptionsValidator : IValidateOptions<ShopOptions>
{
    public ValidateOptionsResult Validate(string? name, ShopOptions options)
    {
        var failures = new List<string>();
        if (!(options.Scale > 0 && options.Scale <= 10))
        {
            failures.Add($"Shop:Scale must be greater than 0 and at most 10 (was {options.Scale}).");
        }

        if (options.BackupHoldMs < 1)
        {
            failures.Add($"Shop:BackupHoldMs must be at least 1 (was {options.BackupHoldMs}).");
        }

        // A hold as long as the period would keep the database locked for good.
        if (options.BackupEveryMs <= options.BackupHoldMs)
        {
            failures.Add($"Shop:BackupEveryMs ({options.BackupEveryMs}) must be greater than Shop:BackupHoldMs ({options.BackupHoldMs}).");
        }

        if (options.DependencyDelayMs < 0)
        {
            failures.Add($"Shop:DependencyDelayMs must be at least 0 (was {options.DependencyDelayMs}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

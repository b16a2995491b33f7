using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// ASP.NET Core with StatProf embedded, on 127.0.0.1 and a free port:
//
//   dotnet StatProfWebTarget.dll RECORD_DIRECTORY LIVE_PORT LIVE_KEY
//
// Prints "listening http://127.0.0.1:PORT" once up (its only output: logging is off). Slow requests (threshold 200 ms, a dump every
// 50 ms) go to RECORD_DIRECTORY; the live endpoint listens on 127.0.0.1:LIVE_PORT with LIVE_KEY.
// The header X-Tenant-Secret is captured and declared sensitive (a configured key), as a service
// would do for its own secret headers. /slow/{name}?seconds= blocks its thread in Thread.Sleep until
// the seconds pass or /release is asked (a test's checks then need not race a fixed sleep); /spin/{name}?seconds=
// burns CPU; /block/{name} waits synchronously on async work (a burst starves the thread pool).
// The host's shutdown timeout is 5 s.
var builder = WebApplication.CreateSlimBuilder(args[3..]);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
builder.Configuration["StatProf:Live:Enabled"] = "true";
builder.Configuration["StatProf:Live:Port"] = args[1];
builder.Configuration["StatProf:Live:Key"] = args[2];
builder.Configuration["StatProf:Live:LongRequestAge"] = "00:00:00.2";
builder.Services.AddStatProf(builder.Configuration.GetSection("StatProf"), options =>
{
    options.Threshold = TimeSpan.FromMilliseconds(200);
    options.Interval = TimeSpan.FromMilliseconds(50);
    options.ActivationLead = TimeSpan.FromMilliseconds(100);
    options.Directory = args[0];
    options.Redaction.SensitiveKeys.Add("X-Tenant-Secret");
});
var app = builder.Build();
app.Services.GetRequiredService<StatProf.AspNetCore.StatProfHttpOptions>().CapturedHeaders.Add("X-Tenant-Secret");
app.UseStatProf();
var released = new CancellationTokenSource();
app.MapGet("/slow/{name}", (string name, double? seconds) =>
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < (seconds ?? 2) && !released.IsCancellationRequested)
    {
        Thread.Sleep(50);
    }

    return $"slept for {name}";
});
app.MapGet("/release", () =>
{
    released.Cancel();
    return "released";
});
app.MapGet("/spin/{name}", (string name, double? seconds) =>
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    double x = 0;
    while (clock.Elapsed.TotalSeconds < (seconds ?? 2))
    {
        x += Math.Sqrt(x + 1);
    }

    return $"spun for {name} ({x:F0})";
});
app.MapGet("/block/{name}", (string name) =>
{
    // Sync-over-async: the inner continuation needs a pool thread while this one waits for it,
    // so a burst of these starves the pool (it grows by a thread or two a second).
    Task.Run(async () => await Task.Delay(100)).Wait();
    return $"unblocked {name}";
});
app.MapGet("/", () => "ok");
await app.StartAsync();
string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"listening {address}");
Console.Out.Flush();
await app.WaitForShutdownAsync();

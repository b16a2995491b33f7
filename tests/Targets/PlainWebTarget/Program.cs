using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// A minimal API on 127.0.0.1 and a free port, printed as "listening http://127.0.0.1:PORT" once up.
// /slow/{name} blocks its thread (a synchronous sleep) for the seconds of ?seconds= (default 30):
// the request stays in flight on a thread-pool thread while a dump is taken.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var app = builder.Build();
app.MapGet("/slow/{name}", (string name, int? seconds) =>
{
    Thread.Sleep(TimeSpan.FromSeconds(seconds ?? 30));
    return $"slept for {name}";
});
app.MapGet("/", () => "ok");
await app.StartAsync();
string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"listening {address}");
Console.Out.Flush();
await app.WaitForShutdownAsync();

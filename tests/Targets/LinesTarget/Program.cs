using StatProf.Sampler;
using StatProf.Sampler.Monitoring;

// LinesTarget plain SECONDS [STOP] — the main thread prices orders for SECONDS, or until the file STOP
//                                    exists (for record, attach, dump);
// LinesTarget logged SECONDS DIR   — the same inside one slow request of an embedded LongRequestLogger
//                                    writing its record files into DIR.
// Prints "ready PID" once the work is under way, and "warm" once the loop has run 2 s (its methods
// then run tier-1 or OSR code, which a profiler attaching now must map to lines). The call site every test looks for is marked in
// Pricing.cs ("the call site"): the tests read its line number from the source.
string mode = args.Length > 0 ? args[0] : "plain";
double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
if (mode == "logged")
{
    var options = new LongRequestLoggerOptions
    {
        Threshold = TimeSpan.FromMilliseconds(200),
        Interval = TimeSpan.FromMilliseconds(50),
        ActivationLead = TimeSpan.FromMilliseconds(100),
        Directory = args[2],
        Continuous = true,
    };
    using var logger = new LongRequestLogger(options);
    var started = DateTime.UtcNow;
    while (!logger.IsSampling && DateTime.UtcNow - started < TimeSpan.FromSeconds(30))
    {
        Thread.Sleep(20);
    }

    Console.WriteLine($"ready {Environment.ProcessId}");
    Console.Out.Flush();
    using (logger.BeginRequest("GET /orders/price", "http"))
    {
        // Until the first dump is written (on a loaded machine the reader may lag seconds behind the
        // ticks buffered while the session started), then SECONDS more.
        while (logger.GetStatistics().RecordsWritten == 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(60))
        {
            Pricing.PriceAll(20);
        }

        Work(DateTime.UtcNow.AddSeconds(seconds), stopFile: null);
    }

    Thread.Sleep(300); // the end record is written by the logger's thread
    return 0;
}

Console.WriteLine($"ready {Environment.ProcessId}");
Console.Out.Flush();
Work(DateTime.UtcNow.AddSeconds(seconds), args.Length > 2 ? args[2] : null);
return 0;

static void Work(DateTime until, string? stopFile)
{
    double sum = 0;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    bool warm = false;
    TimeSpan nextCheck = TimeSpan.Zero;
    while (DateTime.UtcNow < until)
    {
        sum += Pricing.PriceAll(200);
        if (!warm && clock.Elapsed > TimeSpan.FromSeconds(2))
        {
            warm = true;
            Console.WriteLine("warm");
            Console.Out.Flush();
        }

        if (stopFile is not null && clock.Elapsed >= nextCheck)
        {
            nextCheck = clock.Elapsed + TimeSpan.FromMilliseconds(100);
            if (File.Exists(stopFile))
            {
                break;
            }
        }
    }

    Console.WriteLine($"done {sum:0}");
}

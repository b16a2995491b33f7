using System.Runtime.CompilerServices;

// BusyTarget SECONDS [EXITCODE]: the main thread spins in Busy.Spin for SECONDS while a thread named
// "blocked" waits in Blocker.WaitForRelease; then it releases it and exits with EXITCODE.
// Prints "ready PID" once both are under way (attach tests wait for it).
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
int exitCode = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
using var release = new ManualResetEvent(false);
var blocked = new Thread(() => Blocker.WaitForRelease(release)) { Name = "blocked" };
blocked.Start();
Console.WriteLine($"ready {Environment.ProcessId}");
Console.Out.Flush();
double result = Busy.Spin(TimeSpan.FromSeconds(seconds));
release.Set();
blocked.Join();
Console.WriteLine($"done {result:0}");
return exitCode;

internal static class Busy
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double Spin(TimeSpan howLong)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double sum = 0;
        while (clock.Elapsed < howLong)
        {
            for (int i = 1; i < 100_000; i++)
            {
                sum += Math.Sqrt(i);
            }
        }

        return sum;
    }
}

internal static class Blocker
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WaitForRelease(ManualResetEvent release) => release.WaitOne();
}

using System.Runtime.InteropServices;

namespace StatProf.Cli.Tests.Record;

/// <summary>Sends a Unix signal, as a terminal's Ctrl-C does (no <c>kill</c> binary needed).</summary>
internal static partial class Signals
{
    private const int SigInt = 2;

    /// <summary>Sends SIGINT to <paramref name="pid"/>; returns 0 on success.</summary>
    public static int Interrupt(int pid) => Kill(pid, SigInt);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

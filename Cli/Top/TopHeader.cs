namespace StatProf.Cli.Top;

/// <summary>The header line of <c>statprof top</c>: which process, and how well sampling keeps up.</summary>
/// <param name="Pid">The target's process id.</param>
/// <param name="ProcessName">Its name.</param>
/// <param name="Runtime">Its runtime, e.g. <c>.NET 10.0.12</c>.</param>
/// <param name="Dropped">Events the runtime reported lost (its buffer overflowed: statprof read too slowly).</param>
internal sealed record TopHeader(int Pid, string ProcessName, string Runtime, long Dropped);

using StatProf.Sampler;

namespace StatProf.AspNetCore.Live;

/// <summary>One thread of an instant dump: its last sampled stack (leaf first) and whether it was waiting.</summary>
/// <param name="OsThreadId">The operating system's thread id.</param>
/// <param name="Name">The thread's OS name where the platform gives it (Linux /proc), else null.</param>
/// <param name="Waiting">True when the thread was outside managed code (blocked, sleeping, waiting) at the last tick.</param>
/// <param name="BlockedIn">What it is blocked in when a known blocking frame is on its stack (e.g. "sync-over-async wait"), else null.</param>
/// <param name="LeafFirst">Frames, leaf first.</param>
internal sealed record ThreadStack(int OsThreadId, string? Name, bool Waiting, string? BlockedIn, IReadOnlyList<StackFrameInfo> LeafFirst);

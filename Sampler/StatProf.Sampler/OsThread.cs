using System.Runtime.InteropServices;

namespace StatProf.Sampler;

/// <summary>The operating system's id of the current thread: the id the runtime's sampler reports.</summary>
public static partial class OsThread
{
    [ThreadStatic]
    private static int t_id;

    /// <summary>The OS thread id of the calling thread (cached per thread after the first call).</summary>
    public static int CurrentId
    {
        get
        {
            int id = t_id;
            return id != 0 ? id : t_id = Query();
        }
    }

    private static int Query()
    {
        if (OperatingSystem.IsLinux())
        {
            return LinuxGetTid();
        }

        if (OperatingSystem.IsWindows())
        {
            return (int)WindowsGetCurrentThreadId();
        }

        if (OperatingSystem.IsMacOS())
        {
            _ = MacThreadId(IntPtr.Zero, out ulong tid);
            return unchecked((int)tid);
        }

        throw new PlatformNotSupportedException("StatProf reads OS thread ids on Linux, Windows and macOS only.");
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int LinuxGetTid();

    [LibraryImport("kernel32", EntryPoint = "GetCurrentThreadId")]
    private static partial uint WindowsGetCurrentThreadId();

    [LibraryImport("libSystem.dylib", EntryPoint = "pthread_threadid_np")]
    private static partial int MacThreadId(IntPtr thread, out ulong threadId);
}

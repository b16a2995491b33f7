namespace StatProf.Analysis;

/// <summary>What a request's thread was doing at a dump (the record file's <c>state</c>).</summary>
public enum DumpState
{
    /// <summary>On a thread, running managed code.</summary>
    Running = 0,

    /// <summary>On a thread, outside managed code: blocked, sleeping, waiting, in native code.</summary>
    Waiting = 1,

    /// <summary>On no thread: an async request awaiting something; the stack is the last one it had on a thread.</summary>
    Awaiting = 2,
}

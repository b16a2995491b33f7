namespace StatProf.Overhead.Harness;

/// <summary>A run of the harness that cannot go on (a child that failed, a missing tool); its message is one line for stderr.</summary>
internal sealed class HarnessException(string message) : Exception(message);

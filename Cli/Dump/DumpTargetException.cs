namespace StatProf.Cli.Dump;

/// <summary>A target process that cannot be dumped: gone, not .NET, not ours to attach to, or exited during the dump. Its message is the one line the user sees.</summary>
internal sealed class DumpTargetException(string message) : Exception(message);

namespace StatProf.Sampler;

/// <summary>
/// Sampling cannot start in this process. The message is one line that says why and how to fix it
/// (for example: diagnostics are disabled by <c>DOTNET_EnableDiagnostics=0</c>).
/// </summary>
public sealed class SamplerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SamplerUnavailableException()
    {
    }

    /// <summary>Creates the exception with its one-line message.</summary>
    public SamplerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and cause.</summary>
    public SamplerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

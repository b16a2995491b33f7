namespace StatProf.Sampler.Internal;

/// <summary>
/// Says, in one line a user can act on, why the runtime's diagnostic IPC cannot be used in this process.
/// </summary>
internal static class DiagnosticsAvailability
{
    /// <summary>Returns a one-line reason when the environment disables the diagnostic IPC, else null.</summary>
    public static string? DisabledReason(Func<string, string?> getEnvironmentVariable)
    {
        foreach (string prefix in (string[])["DOTNET_", "COMPlus_"])
        {
            string name = prefix + "EnableDiagnostics";
            if (IsZero(getEnvironmentVariable(name)))
            {
                return $"StatProf cannot sample: diagnostics are disabled in this process ({name}=0). Remove {name} (or set it to 1) and restart the process.";
            }

            name = prefix + "EnableDiagnostics_IPC";
            if (IsZero(getEnvironmentVariable(name)))
            {
                return $"StatProf cannot sample: the diagnostic IPC is disabled in this process ({name}=0). Remove {name} (or set it to 1) and restart the process.";
            }
        }

        if (ConfiguredTick(getEnvironmentVariable) is { } tick && tick >= TimeSpan.FromSeconds(1))
        {
            return $"StatProf cannot sample: DOTNET_EventPipeThreadSamplingRate asks for a {tick.TotalMilliseconds:0} ms tick, and at 1 s or more this runtime samples continuously instead (measured: 0.03 ms apart). " +
                "Set it below 3E8 (hexadecimal milliseconds: A for 10 ms, 64 for 100 ms) and restart the process.";
        }

        return null;
    }

    /// <summary>
    /// The tick that <c>DOTNET_EventPipeThreadSamplingRate</c> (or <c>COMPlus_</c>) sets: hexadecimal
    /// milliseconds, read by the runtime once at process start (see docs/sampling.md). Null when unset,
    /// zero or unparsable: the runtime then ticks every 1 ms.
    /// </summary>
    public static TimeSpan? ConfiguredTick(Func<string, string?> getEnvironmentVariable)
    {
        foreach (string prefix in (string[])["DOTNET_", "COMPlus_"])
        {
            string? text = getEnvironmentVariable(prefix + "EventPipeThreadSamplingRate")?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                text = text[2..];
            }

            return uint.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out uint ms) && ms > 0
                ? TimeSpan.FromMilliseconds(ms)
                : null;
        }

        return null;
    }

    /// <summary>The one-line message when the diagnostic IPC could not be reached for another reason.</summary>
    public static string Unreachable(Exception cause) =>
        $"StatProf cannot sample: the runtime's diagnostic IPC did not answer ({cause.GetType().Name}: {OneLine(cause.Message)}). " +
        "Check that DOTNET_EnableDiagnostics is not 0 and that TMPDIR (where the diagnostic socket lives) is writable, then restart the process.";

    private static bool IsZero(string? value) => value is not null && value.Trim() == "0";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

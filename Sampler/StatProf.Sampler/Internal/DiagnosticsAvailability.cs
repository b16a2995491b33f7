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

        return null;
    }

    /// <summary>The one-line message when the diagnostic IPC could not be reached for another reason.</summary>
    public static string Unreachable(Exception cause) =>
        $"StatProf cannot sample: the runtime's diagnostic IPC did not answer ({cause.GetType().Name}: {OneLine(cause.Message)}). " +
        "Check that DOTNET_EnableDiagnostics is not 0 and that TMPDIR (where the diagnostic socket lives) is writable, then restart the process.";

    private static bool IsZero(string? value) => value is not null && value.Trim() == "0";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

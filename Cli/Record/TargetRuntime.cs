using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.NETCore.Client;

namespace StatProf.Cli.Record;

/// <summary>
/// The runtime version of a target, for the <c>process.runtime</c> field of the record header and the
/// header line of <c>top</c>: <c>.NET 10.0.12</c>.
/// </summary>
internal static partial class TargetRuntime
{
    /// <summary>What is written when neither source below tells the version.</summary>
    public const string Unknown = ".NET";

    /// <summary>
    /// Asks the runtime itself (the diagnostic port's ProcessInfo command, whose answer carries
    /// <c>ClrProductVersionString</c> since .NET 7), else reads the version from the path of the
    /// <c>libcoreclr.so</c> the process mapped (a framework-dependent app loads it from
    /// <c>shared/Microsoft.NETCore.App/VERSION/</c>). Never throws.
    /// </summary>
    /// <remarks>
    /// Microsoft.Diagnostics.NETCore.Client 0.2.x implements the ProcessInfo command but keeps
    /// <c>GetProcessInfo</c> internal; it is called by reflection, and any change of that shape only
    /// falls back to the path. Writing the IPC command by hand would duplicate the library.
    /// </remarks>
    public static string Describe(DiagnosticsClient client, int pid)
    {
        string? version = FromProcessInfo(client) ?? FromMaps(pid);
        return version is null ? Unknown : ".NET " + version;
    }

    private static string? FromProcessInfo(DiagnosticsClient client)
    {
        try
        {
            MethodInfo? method = typeof(DiagnosticsClient).GetMethod("GetProcessInfo", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes);
            object? info = method?.Invoke(client, null);
            string? version = info?.GetType().GetProperty("ClrProductVersionString", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(info) as string;
            return Clean(version);
        }
        catch (Exception)
        {
            return null; // an older runtime without the command, or another library shape: try the path
        }
    }

    private static string? FromMaps(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/maps"))
            {
                Match match = SharedFrameworkPath().Match(line);
                if (match.Success)
                {
                    return match.Groups[1].Value;
                }
            }
        }
        catch (Exception)
        {
            // Not Linux, or another user's process: nothing to tell.
        }

        return null;
    }

    /// <summary>The version part, without a build suffix: "10.0.12" of "10.0.12+abc123" or "10.0.12 @Commit: …".</summary>
    private static string? Clean(string? version)
    {
        if (string.IsNullOrWhiteSpace(version))
        {
            return null;
        }

        string trimmed = version.Trim();
        int cut = trimmed.IndexOfAny([' ', '+']);
        return cut > 0 ? trimmed[..cut] : trimmed;
    }

    [GeneratedRegex(@"Microsoft\.NETCore\.App/([0-9][0-9A-Za-z.\-]*)/libcoreclr\.so")]
    private static partial Regex SharedFrameworkPath();
}

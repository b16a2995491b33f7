using StatProf.Sampler.Internal;

namespace StatProf.Sampler.Tests.Internal;

public sealed class DiagnosticsAvailabilityTests
{
    [Theory]
    [InlineData("DOTNET_EnableDiagnostics")]
    [InlineData("DOTNET_EnableDiagnostics_IPC")]
    [InlineData("COMPlus_EnableDiagnostics")]
    public void ZeroInAnyDiagnosticsSwitchIsNamedInTheReason(string variable)
    {
        string? reason = DiagnosticsAvailability.DisabledReason(name => name == variable ? "0" : null);

        Assert.NotNull(reason);
        Assert.Contains(variable + "=0", reason);
        Assert.Contains("restart", reason);
        Assert.DoesNotContain('\n', reason);
    }

    [Fact]
    public void NoSwitchMeansNoReason()
    {
        Assert.Null(DiagnosticsAvailability.DisabledReason(name => name == "DOTNET_EnableDiagnostics" ? "1" : null));
    }
}

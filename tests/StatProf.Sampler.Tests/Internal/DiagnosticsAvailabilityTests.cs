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

    [Theory]
    [InlineData("A", 10)]
    [InlineData("0x64", 100)]
    [InlineData("10", 16)]
    [InlineData("3E7", 999)]
    public void SamplingRateIsReadAsHexadecimalMilliseconds(string value, double expectedMs)
    {
        TimeSpan? tick = DiagnosticsAvailability.ConfiguredTick(name => name == "DOTNET_EventPipeThreadSamplingRate" ? value : null);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), tick);
        Assert.Null(DiagnosticsAvailability.DisabledReason(name => name == "DOTNET_EventPipeThreadSamplingRate" ? value : null));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("G")]
    [InlineData("0.5")]
    public void UnsetZeroOrUnparsableSamplingRateMeansTheDefault(string value)
    {
        Assert.Null(DiagnosticsAvailability.ConfiguredTick(name => name == "DOTNET_EventPipeThreadSamplingRate" ? value : null));
    }

    [Theory]
    [InlineData("3E8")]
    [InlineData("1000000")]
    public void SamplingRateOfOneSecondOrMoreIsRefusedBecauseTheRuntimeWouldSampleNonStop(string value)
    {
        string? reason = DiagnosticsAvailability.DisabledReason(name => name == "DOTNET_EventPipeThreadSamplingRate" ? value : null);

        Assert.NotNull(reason);
        Assert.Contains("continuously", reason);
        Assert.Contains("below 3E8", reason);
        Assert.DoesNotContain('\n', reason);
    }
}

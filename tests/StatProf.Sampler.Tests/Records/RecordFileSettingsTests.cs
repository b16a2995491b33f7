using StatProf.Sampler.Records;

namespace StatProf.Sampler.Tests.Records;

public sealed class RecordFileSettingsTests
{
    [Fact]
    public void DefaultsAreTheDocumentedOnesAndValid()
    {
        var settings = new RecordFileSettings { Directory = "records" };

        Assert.Equal("statprof", settings.FilePrefix);
        Assert.Equal(16L * 1024 * 1024, settings.MaxFileBytes);
        Assert.Equal(256L * 1024 * 1024, settings.MaxTotalBytes);
        Assert.Equal(4096, settings.QueueCapacity);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.DisposeTimeout);
        settings.Validate();
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("")]
    [InlineData("sp ace")]
    public void PrefixesThatCouldNameAnotherPathAreRefused(string prefix)
    {
        var settings = new RecordFileSettings { Directory = "records", FilePrefix = prefix };

        ArgumentException e = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.Equal(nameof(RecordFileSettings.FilePrefix), e.ParamName);
    }

    [Fact]
    public void SizesAndCapacityOutOfRangeAreRefusedByName()
    {
        var ok = new RecordFileSettings { Directory = "records" };

        Assert.Equal("Directory", Assert.Throws<ArgumentException>((ok with { Directory = " " }).Validate).ParamName);
        Assert.Equal("MaxFileBytes", Assert.Throws<ArgumentException>((ok with { MaxFileBytes = 100 }).Validate).ParamName);
        Assert.Equal("MaxTotalBytes", Assert.Throws<ArgumentException>((ok with { MaxTotalBytes = ok.MaxFileBytes - 1 }).Validate).ParamName);
        Assert.Equal("QueueCapacity", Assert.Throws<ArgumentException>((ok with { QueueCapacity = 0 }).Validate).ParamName);
        Assert.Equal("DisposeTimeout", Assert.Throws<ArgumentException>((ok with { DisposeTimeout = TimeSpan.FromSeconds(-1) }).Validate).ParamName);
    }

    [Fact]
    public void AWriterRefusesInvalidSettingsAtConstruction()
    {
        Assert.Throws<ArgumentException>(() => new RecordWriter(new RecordFileSettings { Directory = "d", QueueCapacity = 0 }, _ => RecordFiles.Header()));
    }
}

using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Tests;

/// <summary>A bad ServiceDefaults setting stops the service at start, naming the setting.</summary>
public sealed class StartupValidationTests
{
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("Shutdown:DrainDelay", "-00:00:01")]
    [InlineData("Shutdown:Timeout", "00:00:00")]
    [InlineData("Connections:MaxAge", "00:00:00")]
    [InlineData("Connections:MaxAgeGrace", "-00:00:01")]
    [InlineData("Limits:CriticalReserve", "0.95")]
    [InlineData("Limits:MinConcurrentCalls", "0")]
    [InlineData("Limits:LatencyTolerance", "0.9")]
    public async Task Start_InvalidSetting_FailsNamingIt(string key, string value)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Hosts.StartUsersAsync(new Dictionary<string, string?> { [key] = value }, inMemoryServer: true));

        var validation = Assert.IsType<OptionsValidationException>(ex is OptionsValidationException ? ex : ex.InnerException);
        Assert.Contains(key.Split(':')[1], validation.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("Auth:Authority", "http://idp.example", "Auth:RequireHttpsMetadata")]
    [InlineData("Auth:MetadataRefreshMinInterval", "00:30:00", "must not exceed Auth:MetadataRefreshInterval")]
    [InlineData("Auth:MetadataRefreshInterval", "00:00:00", "MetadataRefreshInterval")]
    [InlineData("Auth:MetadataTimeout", "00:00:00", "MetadataTimeout")]
    public async Task Start_InvalidAuthoritySetting_FailsNamingIt(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Enabled"] = "true",
            ["Auth:Authority"] = "https://idp.example",
            [key] = value,
        };

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Hosts.StartUsersAsync(settings, inMemoryServer: true));

        var validation = Assert.IsType<OptionsValidationException>(ex is OptionsValidationException ? ex : ex.InnerException);
        Assert.Contains(expected, validation.Message, StringComparison.Ordinal);
    }
}

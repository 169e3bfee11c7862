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
}

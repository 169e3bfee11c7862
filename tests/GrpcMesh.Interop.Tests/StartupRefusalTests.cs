using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// A service that cannot start with its configuration says which keys to change, in one line each, and exits 1.
/// Each test is bounded by <see cref="ExitTimeout"/> (the service must have exited by then).
/// </summary>
public sealed class StartupRefusalTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(ServiceProcess.UserService)]
    [InlineData(ServiceProcess.OrderService)]
    public async Task Start_ProductionWithoutSigningKey_OneStderrLineNamingTheKeysAndExitCode1(string project)
    {
        // ServiceProcess runs Production; auth on and no key is what a fresh deployment without its Secret looks like.
        await using var service = await ServiceProcess.RunToExitAsync(project, new Dictionary<string, string> { ["Auth:Enabled"] = "true" }, ExitTimeout);

        Assert.Equal(1, service.ExitCode);
        var line = Assert.Single(service.ErrorLines);
        Assert.Contains("Auth:SigningKey", line, StringComparison.Ordinal);
        Assert.Contains("Auth:Authority", line, StringComparison.Ordinal);
        Assert.DoesNotContain(service.OutputLines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_TwoInvalidSettings_OneLineEachAndExitCode1()
    {
        await using var service = await ServiceProcess.RunToExitAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["Auth:Enabled"] = "true",
            ["Shutdown:DrainDelay"] = "01:00:00",
        }, ExitTimeout);

        Assert.Equal(1, service.ExitCode);
        Assert.Equal(2, service.ErrorLines.Count);
        Assert.Contains(service.ErrorLines, l => l.Contains("Auth:SigningKey", StringComparison.Ordinal));
        Assert.Contains(service.ErrorLines, l => l.Contains("DrainDelay", StringComparison.Ordinal));
        Assert.DoesNotContain(service.OutputLines, l => l.Contains("   at ", StringComparison.Ordinal));
    }
}

using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>grpc.health.v1 from Python grpcio (stubs compiled from Debian's grpc-proto), against the real processes.</summary>
public sealed class HealthInteropTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(ServiceProcess.UserService)]
    [InlineData(ServiceProcess.OrderService)]
    public async Task Check_EmptyHealthLivenessAndUnknownNames_ServingOrNotFound(string project)
    {
        await using var service = await ServiceProcess.StartAsync(project);

        var statuses = await CheckAsync(service, "", "grpc.health.v1.Health", "liveness", "grpcmesh.unknown.v1.Nope");

        Assert.Equal(
            new Dictionary<string, string>
            {
                [""] = "SERVING",
                ["grpc.health.v1.Health"] = "SERVING",
                ["liveness"] = "SERVING",
                ["grpcmesh.unknown.v1.Nope"] = "NOT_FOUND",
            },
            statuses);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_UserServiceName_Serving()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService);

        var statuses = await CheckAsync(service, "grpcmesh.user.v1.UserService");

        Assert.Equal("SERVING", statuses["grpcmesh.user.v1.UserService"]);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_OrderServiceName_Serving()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.OrderService);

        var statuses = await CheckAsync(service, "grpcmesh.order.v1.OrderService");

        Assert.Equal("SERVING", statuses["grpcmesh.order.v1.OrderService"]);
    }

    private static async Task<Dictionary<string, string>> CheckAsync(ServiceProcess service, params string[] names)
    {
        var lines = await Python.RunAsync("health_check.py", ScriptTimeout, [service.Target, .. names]);
        return lines.ToDictionary(l => l.GetProperty("service").GetString()!, l => l.GetProperty("status").GetString()!);
    }
}

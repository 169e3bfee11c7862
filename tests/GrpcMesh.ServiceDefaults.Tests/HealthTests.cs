using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace GrpcMesh.ServiceDefaults.Tests;

public sealed class HealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("")]
    [InlineData("grpcmesh.user.v1.UserService")]
    [InlineData("grpc.health.v1.Health")]
    [InlineData(HealthNames.LivenessService)]
    public async Task Check_EmptyOrMappedServiceName_Serving(string service)
    {
        await using var host = await Hosts.StartUsersAsync();
        var health = new HealthClient(host.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: Ct);

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("grpcmesh.user.v1.Unknown")]
    [InlineData("grpcmesh.order.v1.OrderService")]
    public async Task Check_UnknownServiceName_NotFoundNamingItAndTheKnownNames(string service)
    {
        await using var host = await Hosts.StartUsersAsync();
        var health = new HealthClient(host.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal(
            $"unknown health service name '{service}'; this server knows: \"\", grpc.health.v1.Health, grpcmesh.user.v1.UserService, liveness",
            ex.Status.Detail);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_StorageProbeFails_ReadinessNotServingLivenessServing()
    {
        await using var host = await Hosts.StartUsersAsync(configure: builder => builder.Services.AddHealthChecks()
            .AddStorageCheck((_, _) => throw new InvalidOperationException("database is down")));
        var health = new HealthClient(host.Channel);

        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new() { Service = "" }, cancellationToken: Ct)).Status);
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new() { Service = "grpcmesh.user.v1.UserService" }, cancellationToken: Ct)).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new() { Service = HealthNames.LivenessService }, cancellationToken: Ct)).Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_StorageProbeFails_LoggedAtErrorByTheHealthCheckService()
    {
        var failure = $"database is down {Guid.NewGuid():N}";
        var output = new StringWriter();
        await using var host = await ConsoleCapture.BuildWritingToAsync(output, () => Hosts.StartUsersAsync(configure: builder =>
            builder.Services.AddHealthChecks().AddStorageCheck((_, _) => throw new InvalidOperationException(failure))));

        Assert.Equal(ServingStatus.NotServing, (await new HealthClient(host.Channel).CheckAsync(new() { Service = "" }, cancellationToken: Ct)).Status);

        JsonElement line = default;
        await Eventually.WaitAsync(() =>
        {
            var found = ConsoleCapture.Lines(output).FirstOrDefault(l => l.Contains(failure, StringComparison.Ordinal));
            line = found is null ? default : JsonDocument.Parse(found).RootElement;
            return found is not null;
        }, "the storage check's log line", TimeSpan.FromSeconds(10));
        Assert.Equal("Error", line.GetProperty("LogLevel").GetString());
        Assert.Equal("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", line.GetProperty("Category").GetString());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Check_StorageProbeSucceeds_Serving()
    {
        var probed = 0;
        await using var host = await Hosts.StartUsersAsync(configure: builder => builder.Services.AddHealthChecks()
            .AddStorageCheck((_, _) =>
            {
                Interlocked.Increment(ref probed);
                return ValueTask.CompletedTask;
            }));
        var health = new HealthClient(host.Channel);

        var response = await health.CheckAsync(new() { Service = "" }, cancellationToken: Ct);

        Assert.Equal(ServingStatus.Serving, response.Status);
        Assert.True(Volatile.Read(ref probed) > 0, "the storage probe must run on Check");
    }
}

using System.Diagnostics.Metrics;
using Grpc.Core;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Order.V1;
using GrpcMesh.ServiceDefaults.Telemetry;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults.Tests;

public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ServerCallDuration_OkNotFoundAndUnexpectedException_RecordedWithMethodAndStatus()
    {
        await using var host = await Hosts.StartUsersAsync();
        using var recorder = new MeasurementRecorder(host.Services.GetRequiredService<IMeterFactory>(), GrpcMeshTelemetry.ServerCallDuration);
        var users = new UserService.UserServiceClient(host.Channel);

        await users.GetUserAsync(new GetUserRequest { UserId = "u1" }, cancellationToken: Ct);
        await Assert.ThrowsAsync<RpcException>(() => users.GetUserAsync(new GetUserRequest { UserId = "missing" }, cancellationToken: Ct).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => users.GetUserAsync(new GetUserRequest { UserId = "boom" }, cancellationToken: Ct).ResponseAsync);

        var getUser = recorder.Measurements.Where(m => (string?)m[GrpcMeshTelemetry.MethodTag] == "GetUser").ToList();
        Assert.Equal([0, 5, 13], getUser.Select(m => (int)m[GrpcMeshTelemetry.StatusCodeTag]!).Order());
        Assert.All(getUser, m =>
        {
            Assert.Equal("grpc", m[GrpcMeshTelemetry.SystemTag]);
            Assert.Equal("grpcmesh.user.v1.UserService", m[GrpcMeshTelemetry.ServiceTag]);
            Assert.True(m.Value >= 0);
        });
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ClientCallDuration_GrpcMeshClientCalls_RecordedWithMethodAndStatus()
    {
        await using var users = await Hosts.StartUsersAsync();
        await using var orders = await Hosts.StartOrdersAsync(users);
        using var recorder = new MeasurementRecorder(orders.Services.GetRequiredService<IMeterFactory>(), RpcClientMetricsInterceptor.CallDuration);
        var client = new OrderService.OrderServiceClient(orders.Channel);

        await client.GetOrderAsync(new GetOrderRequest { OrderId = "u1" }, cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetOrderAsync(new GetOrderRequest { OrderId = "missing" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);

        var calls = recorder.Measurements;
        Assert.Equal([0, 5], calls.Select(m => (int)m[GrpcMeshTelemetry.StatusCodeTag]!).Order());
        Assert.All(calls, m =>
        {
            Assert.Equal("grpcmesh.user.v1.UserService", m[GrpcMeshTelemetry.ServiceTag]);
            Assert.Equal("GetUser", m[GrpcMeshTelemetry.MethodTag]);
        });
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PrometheusEndpoint_Enabled_ServesRpcAndClientResilienceMetricsOverHttp1()
    {
        await using var host = await Hosts.StartUsersAsync(new Dictionary<string, string?>
        {
            ["Telemetry:PrometheusPort"] = "0",
            ["Telemetry:PrometheusAddress"] = "127.0.0.1",
        });
        var users = new UserService.UserServiceClient(host.Channel);
        await users.GetUserAsync(new GetUserRequest { UserId = "u1" }, cancellationToken: Ct);
        await Assert.ThrowsAsync<RpcException>(() => users.GetUserAsync(new GetUserRequest { UserId = "missing" }, cancellationToken: Ct).ResponseAsync);
        var clientsMeter = host.Services.GetRequiredService<IMeterFactory>().Create(GrpcMeshClientTelemetry.MeterName);
        clientsMeter.CreateCounter<long>("grpcmesh.client.retries").Add(1, new KeyValuePair<string, object?>("rpc.method", "GetUser"));
        var url = host.Services.GetRequiredService<PrometheusEndpoint>().Url;
        Assert.NotNull(url);
        Assert.NotEqual(host.Address.Port, url.Port);
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version11 };

        var text = await http.GetStringAsync(url, Ct);

        var lines = text.Split('\n');
        Assert.Contains(lines, line => line.StartsWith("rpc_server_call_duration_seconds_count{", StringComparison.Ordinal)
            && line.Contains("rpc_method=\"GetUser\"", StringComparison.Ordinal)
            && line.Contains("rpc_grpc_status_code=\"5\"", StringComparison.Ordinal)
            && line.Contains("rpc_service=\"grpcmesh.user.v1.UserService\"", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("grpcmesh_client_retries_total{", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PrometheusEndpoint_NotConfigured_NoUrlAndGrpcPortRefusesHttp1()
    {
        await using var host = await Hosts.StartUsersAsync();
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version11 };

        Assert.Null(host.Services.GetRequiredService<PrometheusEndpoint>().Url);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(new Uri(host.Address, "/metrics"), Ct));
    }
}

using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>The real process serves Prometheus metrics on its own HTTP/1.1 port, with calls from a Python client in them.</summary>
public sealed class MetricsInteropTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Metrics_AfterPythonCalls_ScrapedOverHttp1OnTheSeparatePort()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.OrderService);
        await Python.RunAsync("health_check.py", TimeSpan.FromSeconds(60), service.Target, "", "grpcmesh.unknown.v1.Nope");
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version11 };

        var metrics = await http.GetStringAsync(service.MetricsUrl, TestContext.Current.CancellationToken);

        Assert.NotEqual(service.Target, service.MetricsUrl.Authority);
        var lines = metrics.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("rpc_server_call_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("rpc_service=\"grpc.health.v1.Health\"", StringComparison.Ordinal)
            && l.Contains("rpc_method=\"Check\"", StringComparison.Ordinal)
            && l.Contains("rpc_grpc_status_code=\"0\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("rpc_server_call_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("rpc_method=\"Check\"", StringComparison.Ordinal)
            && l.Contains("rpc_grpc_status_code=\"5\"", StringComparison.Ordinal));
    }
}

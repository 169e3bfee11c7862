using System.Text.Json;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;

namespace GrpcMesh.Interop.Tests.Observability;

/// <summary>
/// Renders the recorded series of a test run as a PNG (tests/interop/python/render_dashboard.py, matplotlib) to
/// artifacts/observability/grpcmesh-dashboard.png — the picture in the README's "Operate it" is one of these.
/// </summary>
internal static class DashboardImage
{
    private const string Order = "grpcmesh.order.v1.OrderService";
    private const string User = "grpcmesh.user.v1.UserService";

    private static readonly (string Title, string Unit, (string Label, string Query)[] Series)[] Panels =
    [
        ("OrderService requests (server)", "calls/s",
        [
            ("{rpc_method}", $"grpcmesh:server_requests:rate5m{{rpc_service=\"{Order}\"}}"),
        ]),
        ("Success rate", "ratio",
        [
            ("OrderService {rpc_method}", $"grpcmesh:server_success:ratio5m{{rpc_service=\"{Order}\"}}"),
            ("GetUser effective (client)", $"grpcmesh:client_success:ratio5m{{job=\"orderservice\",rpc_method=\"GetUser\"}}"),
            ("GetUser actual (client)", $"grpcmesh:client_actual_success:ratio5m{{job=\"orderservice\",rpc_method=\"GetUser\"}}"),
        ]),
        ("OrderService CreateOrder latency", "seconds",
        [
            ("p50", $"grpcmesh:server_latency_seconds:p50_5m{{rpc_service=\"{Order}\",rpc_method=\"CreateOrder\"}}"),
            ("p99", $"grpcmesh:server_latency_seconds:p99_5m{{rpc_service=\"{Order}\",rpc_method=\"CreateOrder\"}}"),
        ]),
        ("OrderService → UserService", "calls/s",
        [
            ("{rpc_method} sent (client)", $"grpcmesh:client_requests:rate5m{{job=\"orderservice\",rpc_service=\"{User}\"}}"),
            ("breaker rejections", "grpcmesh:client_breaker_rejections:rate2m{job=\"orderservice\"}"),
        ]),
        ("UserService endpoints seen by OrderService", "endpoints",
        [
            ("in rotation", "grpcmesh:client_endpoints_ready:count{job=\"orderservice\"}"),
            ("out of rotation", "grpcmesh:client_endpoints_not_ready:count{job=\"orderservice\"}"),
        ]),
        ("CreateOrder saga outcomes", "sagas/s",
        [
            ("{outcome}", "grpcmesh:order_saga_outcomes:rate5m{job=\"orderservice\"}"),
        ]),
    ];

    public static async Task RenderAsync(PrometheusServer prometheus, DateTimeOffset from, DateTimeOffset to, DateTimeOffset userServiceDown)
    {
        var panels = new List<object>();
        foreach (var (title, unit, queries) in Panels)
        {
            var series = new List<object>();
            foreach (var (label, query) in queries)
            {
                foreach (var (labels, points) in await prometheus.QueryRangeAsync(query, from, to, TimeSpan.FromSeconds(1)))
                {
                    var name = labels.Aggregate(label, (text, l) => text.Replace("{" + l.Key + "}", l.Value, StringComparison.Ordinal));
                    series.Add(new { label = name, points = points.Select(p => new[] { p.Time - from.ToUnixTimeSeconds(), p.Value }) });
                }
            }

            Assert.True(series.Count > 0, $"panel '{title}' has no data");
            panels.Add(new { title, unit, series });
        }

        var output = RepoPaths.PathOf("artifacts", "observability");
        Directory.CreateDirectory(output);
        var data = Path.Combine(output, "grpcmesh-dashboard.json");
        var png = Path.Combine(output, "grpcmesh-dashboard.png");
        await File.WriteAllTextAsync(data, JsonSerializer.Serialize(new
        {
            title = "GrpcMesh — recorded series of PrometheusScrapeTests (UserService stopped at the dashed line)",
            marker = (userServiceDown - from).TotalSeconds,
            panels,
        }), TestContext.Current.CancellationToken);

        await Python.RunAsync("render_dashboard.py", TimeSpan.FromSeconds(90), data, png);
        var header = new byte[8];
        await using (var file = File.OpenRead(png))
        {
            await file.ReadExactlyAsync(header, TestContext.Current.CancellationToken);
        }

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header);
    }
}

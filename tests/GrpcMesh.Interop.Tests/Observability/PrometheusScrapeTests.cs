using System.Globalization;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests.Observability;

/// <summary>
/// A real Prometheus with the committed rules (deploy/observability) scrapes a running UserService + OrderService under
/// load: the recorded golden signals match the load sent, and the breaker alert fires once UserService is down.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private const string OrderService = "grpcmesh.order.v1.OrderService";
    private const string UserService = "grpcmesh.user.v1.UserService";
    private const double TicksPerSecond = 20;

    // The rules' 5-minute ranges shortened to 10 s (so seconds of load fill them) and every alert's `for` to 3 s; the
    // expressions are the committed ones. 10 s holds ten 1-second scrapes.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Prometheus_MeshUnderLoadThenUserServiceDown_RecordedRatesMatchLoadAndBreakerAlertFires()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var users = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["Shutdown:DrainDelay"] = "00:00:00",
        });
        // A balanced target (static:///), so the endpoint series exist too.
        await using var orders = await ServiceProcess.StartAsync(ServiceProcess.OrderService, new Dictionary<string, string>
        {
            ["Clients:UserService:Address"] = $"static:///{users.Target}",
        });
        await using var prometheus = await PrometheusServer.StartAsync(
            new Dictionary<string, Uri> { ["userservice"] = users.MetricsUrl, ["orderservice"] = orders.MetricsUrl },
            PrometheusServer.CommittedRules($"{Window.TotalSeconds}s", "3s"));
        await Eventually.WaitAsync(async () => (await prometheus.TargetHealthAsync()) is { Count: 2 } health && health.Values.All(h => h == "up"),
            "Prometheus to scrape both services", TimeSpan.FromSeconds(30));

        await using var load = await MeshLoad.StartAsync(users.Address, orders.Address, TicksPerSecond);
        var loadStart = DateTimeOffset.UtcNow;
        try
        {
            // Past the warm-up (the first calls JIT-compile both services and finish late, in a bunch): 3 s of completed calls.
            await Eventually.WaitAsync(() => load.Results.Count(r => r.Method == "CreateOrder") >= 3 * TicksPerSecond, "3 s of completed load");

            // Healthy phase: wait until a whole window of scrapes lies inside the steady load (+ 3 s for scrape and evaluation lag).
            var healthyEnd = DateTimeOffset.UtcNow + Window + TimeSpan.FromSeconds(3);
            await Eventually.WaitAsync(() => DateTimeOffset.UtcNow >= healthyEnd, "a full window of load", Window + TimeSpan.FromSeconds(10));
            var measuredFrom = healthyEnd - Window - TimeSpan.FromSeconds(1);
            var measuredTo = healthyEnd - TimeSpan.FromSeconds(1);

            foreach (var method in new[] { "CreateOrder", "GetOrder" })
            {
                var sent = load.RateSent(method, measuredFrom, measuredTo);
                var recorded = await SingleAsync(prometheus, $"grpcmesh:server_requests:rate5m{{rpc_service=\"{OrderService}\",rpc_method=\"{method}\"}}", healthyEnd);
                AssertWithin20Percent(sent, recorded, $"OrderService {method} server rate");
                // GetOrder of unknown orders answers NOT_FOUND: a business outcome, not a failure.
                Assert.Equal(1.0, await SingleAsync(prometheus, $"grpcmesh:server_success:ratio5m{{rpc_service=\"{OrderService}\",rpc_method=\"{method}\"}}", healthyEnd));
            }

            Assert.All(load.Results.Where(r => r.Sent < measuredTo), r => Assert.Equal(r.Method == "GetOrder" ? Grpc.Core.StatusCode.NotFound : Grpc.Core.StatusCode.OK, r.Status));
            var createRate = load.RateSent("CreateOrder", measuredFrom, measuredTo);
            foreach (var upstream in new[] { "GetUser", "ReserveCredit" })
            {
                // Every CreateOrder calls GetUser and ReserveCredit once: OrderService's client view of UserService.
                AssertWithin20Percent(createRate,
                    await SingleAsync(prometheus, $"grpcmesh:client_requests:rate5m{{job=\"orderservice\",rpc_service=\"{UserService}\",rpc_method=\"{upstream}\"}}", healthyEnd),
                    $"OrderService → UserService {upstream} client rate");
                AssertWithin20Percent(createRate,
                    await SingleAsync(prometheus, $"grpcmesh:server_requests:rate5m{{rpc_service=\"{UserService}\",rpc_method=\"{upstream}\"}}", healthyEnd),
                    $"UserService {upstream} server rate");
                Assert.Equal(1.0, await SingleAsync(prometheus,
                    $"grpcmesh:client_success:ratio5m{{job=\"orderservice\",rpc_service=\"{UserService}\",rpc_method=\"{upstream}\"}}", healthyEnd));
            }

            // Every CreateOrder of the healthy phase confirmed its saga; no watcher, so no outbox lag.
            AssertWithin20Percent(createRate,
                await SingleAsync(prometheus, "grpcmesh:order_saga_outcomes:rate5m{job=\"orderservice\",outcome=\"confirmed\"}", healthyEnd), "confirmed sagas");
            Assert.Empty(await prometheus.QueryAsync("grpcmesh:order_saga_outcomes:rate5m{outcome!=\"confirmed\"} > 0", healthyEnd));
            Assert.True(await SingleAsync(prometheus, "grpcmesh:order_outbox_sequence:max{job=\"orderservice\"}", healthyEnd) > 0, "no outbox sequence recorded");
            Assert.Equal(0, await SingleAsync(prometheus, "grpcmesh:order_outbox_lag:max{job=\"orderservice\"}", healthyEnd));
            Assert.Equal(1, await SingleAsync(prometheus, "grpcmesh:client_endpoints_ready:count{job=\"orderservice\"}", healthyEnd));

            // Failure phase: UserService goes away; OrderService's calls to it fail, then its breaker refuses them.
            users.Terminate();
            Assert.True(await users.WaitForExitAsync(TimeSpan.FromSeconds(30)), "UserService did not exit on SIGTERM");
            var downAt = DateTimeOffset.UtcNow;
            await Eventually.WaitAsync(async () => (await prometheus.AlertsAsync()).Any(a =>
                    a.State == "firing" && a.Labels["alertname"] == "GrpcMeshCircuitBreakerOpen" && a.Labels["job"] == "orderservice"),
                "GrpcMeshCircuitBreakerOpen to fire for orderservice", TimeSpan.FromSeconds(60));
            var firedAfter = DateTimeOffset.UtcNow - downAt;

            var orderSuccess = await SingleAsync(prometheus, $"grpcmesh:server_success:ratio5m{{rpc_service=\"{OrderService}\",rpc_method=\"CreateOrder\"}}", null);
            var clientSuccess = await SingleAsync(prometheus, $"grpcmesh:client_success:ratio5m{{job=\"orderservice\",rpc_service=\"{UserService}\",rpc_method=\"GetUser\"}}", null);
            Assert.InRange(orderSuccess, 0, 0.99);
            Assert.InRange(clientSuccess, 0, 0.99);
            Assert.Contains(load.Results, r => r.Method == "CreateOrder" && r.Status == Grpc.Core.StatusCode.Unavailable);
            // GetOrder does not call UserService: its success rate stays at 100 %.
            Assert.Equal(1.0, await SingleAsync(prometheus, $"grpcmesh:server_success:ratio5m{{rpc_service=\"{OrderService}\",rpc_method=\"GetOrder\"}}", null));
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"[prometheus] CreateOrder success {orderSuccess:P1}, GetUser client success {clientSuccess:P1}; breaker alert firing {firedAfter.TotalSeconds:0.0} s after UserService exited");

            await AssertDashboardQueriesReturnDataAsync(prometheus);
            await load.StopAsync();
            await DashboardImage.RenderAsync(prometheus, loadStart, DateTimeOffset.UtcNow, downAt);
        }
        catch (Exception) when (Dump(prometheus, users, orders))
        {
            throw;
        }
    }

    /// <summary>
    /// Every query of the Grafana dashboard returns data from this run, except the panels of events it does not cause:
    /// refusals (RESOURCE_EXHAUSTED), hedges (off by default) and retry budget exhaustion (may or may not happen here).
    /// </summary>
    private static async Task AssertDashboardQueriesReturnDataAsync(PrometheusServer prometheus)
    {
        string[] notCaused = ["grpcmesh:server_refusals:rate5m", "grpcmesh:client_hedges:rate5m", "grpcmesh:client_retry_budget_exhausted:rate5m"];
        using var dashboard = System.Text.Json.JsonDocument.Parse(
            await File.ReadAllTextAsync(RepoPaths.PathOf("deploy", "observability", "grafana", "grpcmesh-dashboard.json"), TestContext.Current.CancellationToken));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!.Replace("$service", ".*", StringComparison.Ordinal))
            .ToList();
        var empty = new List<string>();
        foreach (var query in queries.Where(q => !notCaused.Any(n => q.Contains(n, StringComparison.Ordinal))))
        {
            if ((await prometheus.QueryAsync(query)).Count == 0)
            {
                empty.Add(query);
            }
        }

        Assert.True(queries.Count >= 20, $"only {queries.Count} dashboard queries");
        Assert.True(empty.Count == 0, $"dashboard queries without data:\n{string.Join('\n', empty)}");
    }

    private static async Task<double> SingleAsync(PrometheusServer prometheus, string query, DateTimeOffset? at)
    {
        var result = await prometheus.QueryAsync(query, at);
        Assert.True(result.Count == 1, $"{query} at {at?.ToString("O", CultureInfo.InvariantCulture) ?? "now"}: expected one series, got {result.Count}");
        return result[0].Value;
    }

    private static void AssertWithin20Percent(double sent, double recorded, string what) =>
        Assert.True(Math.Abs(recorded - sent) <= 0.2 * sent, $"{what}: recorded {recorded:0.00}/s, sent {sent:0.00}/s (±20 % allowed)");

    private static bool Dump(PrometheusServer prometheus, ServiceProcess users, ServiceProcess orders)
    {
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"[prometheus]\n{prometheus.Output}");
        output?.WriteLine($"[userservice]\n{users.Output}");
        output?.WriteLine($"[orderservice]\n{orders.Output}");
        return false;
    }
}

using System.Diagnostics;
using GrpcMesh.Order.V1;
using GrpcMesh.ServiceDefaults.Telemetry;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace GrpcMesh.ServiceDefaults.Tests;

public sealed class TracingTests
{
    private static readonly ActivitySource TestSource = new("GrpcMesh.Tests.Tracing");
    private const string GetOrder = "grpcmesh.order.v1.OrderService/GetOrder";
    private const string GetUser = "grpcmesh.user.v1.UserService/GetUser";
    private static readonly Dictionary<string, string?> SampleAll = new() { ["Telemetry:SamplingRatio"] = "1" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetOrder_CallingUserService_OneTraceAcrossServerClientServerSpans()
    {
        var exported = new SpanLog();
        await using var users = await Hosts.StartUsersAsync(SampleAll, exported.Attach);
        await using var orders = await Hosts.StartOrdersAsync(users, SampleAll, exported.Attach);
        var client = new OrderService.OrderServiceClient(orders.Channel);
        ActivityTraceId traceId;

        using (var root = TestSource.StartActivity("test-root"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            await client.GetOrderAsync(new GetOrderRequest { OrderId = "u1" }, cancellationToken: Ct);
        }

        Activity orderServer = null!, userClient = null!, userServer = null!;
        await Eventually.WaitAsync(() =>
        {
            var spans = exported.InTrace(traceId);
            orderServer = spans.FirstOrDefault(s => s.Kind == ActivityKind.Server && Tag(s, "rpc.method") == GetOrder)!;
            userClient = spans.FirstOrDefault(s => s.Kind == ActivityKind.Client && Tag(s, "rpc.method") == GetUser)!;
            userServer = spans.FirstOrDefault(s => s.Kind == ActivityKind.Server && Tag(s, "rpc.method") == GetUser)!;
            return Task.FromResult(orderServer is not null && userClient is not null && userServer is not null);
        }, "server (orders), client and server (users) spans in the test's trace: " + string.Join("; ", exported.InTrace(traceId).Select(s => $"{s.Kind} {s.DisplayName} {s.SpanId}<-{s.ParentSpanId} [{string.Join(",", s.TagObjects.Select(t => t.Key + "=" + t.Value))}]")), TimeSpan.FromSeconds(10));

        Assert.Equal(orderServer.SpanId, userClient.ParentSpanId);
        Assert.Equal(userClient.SpanId, userServer.ParentSpanId);
        // The instrumentations follow the current RPC semantic conventions (rpc.system.name, rpc.response.status_code).
        Assert.All([orderServer, userClient, userServer], span =>
        {
            Assert.Equal("grpc", Tag(span, "rpc.system.name"));
            Assert.Equal("OK", Tag(span, "rpc.response.status_code"));
        });
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Sampler_RatioZero_FollowsTheCallersSamplingDecision()
    {
        var exported = new SpanLog();
        await using var host = await Hosts.StartUsersAsync(new Dictionary<string, string?> { ["Telemetry:SamplingRatio"] = "0" }, exported.Attach);
        var users = new UserService.UserServiceClient(host.Channel);
        var unsampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);
        var sampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

        using (TestSource.StartActivity("caller", ActivityKind.Internal, unsampledParent))
        {
            await users.GetUserAsync(new GetUserRequest { UserId = "u1" }, cancellationToken: Ct);
        }

        using (TestSource.StartActivity("caller", ActivityKind.Internal, sampledParent))
        {
            await users.GetUserAsync(new GetUserRequest { UserId = "u2" }, cancellationToken: Ct);
        }

        await Eventually.WaitAsync(() => Task.FromResult(exported.InTrace(sampledParent.TraceId).Any(s => s.Kind == ActivityKind.Server)), "the server span in the sampled trace", TimeSpan.FromSeconds(10));
        Assert.Empty(exported.InTrace(unsampledParent.TraceId));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Resource_NoOtelServiceName_DefaultsToApplicationName()
    {
        await using var host = await Hosts.StartUsersAsync(inMemoryServer: true);

        Assert.Equal(TestServiceHost.ApplicationName, ServiceName(host));
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("OTEL_SERVICE_NAME", "users-from-env")]
    [InlineData("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,service.name=users-from-env")]
    public async Task Resource_OtelServiceNameConfigured_Wins(string key, string value)
    {
        await using var host = await Hosts.StartUsersAsync(new Dictionary<string, string?> { [key] = value }, inMemoryServer: true);

        Assert.Equal("users-from-env", ServiceName(host));
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(null, true, 1.0)]
    [InlineData(null, false, 0.1)]
    [InlineData(0.25, true, 0.25)]
    public Task EffectiveSamplingRatio_UnsetOrSet_DefaultsByEnvironment(double? configured, bool development, double expected) => TestTimeouts.RunSync(() =>
    {
        Assert.Equal(expected, new TelemetryOptions { SamplingRatio = configured }.EffectiveSamplingRatio(development));
    }, TestContext.Current.CancellationToken);

    private static string? ServiceName(TestServiceHost host) =>
        host.Services.GetRequiredService<TracerProvider>().GetResource().Attributes
            .FirstOrDefault(a => a.Key == "service.name").Value as string;

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    /// <summary>Spans exported by the hosts it is attached to (every provider in the process sees every span; dedupe by id).</summary>
    private sealed class SpanLog
    {
        private readonly LockedCollection<Activity> _spans = new();

        public void Attach(WebApplicationBuilder builder) =>
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(TestSource.Name).AddInMemoryExporter(_spans));

        public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) =>
            _spans.Snapshot().Where(s => s.TraceId == traceId).DistinctBy(s => s.SpanId).ToList();
    }
}

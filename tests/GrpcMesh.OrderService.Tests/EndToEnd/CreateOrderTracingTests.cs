using System.Diagnostics;
using GrpcMesh.Clients;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace GrpcMesh.OrderService.Tests.EndToEnd;

/// <summary>A CreateOrder is one trace across OrderService and its UserService calls (real Kestrel between them).</summary>
public sealed class CreateOrderTracingTests
{
    // The test's own root span: other tests' hosts run CreateOrder in this process too, and every tracer provider here
    // sees every span, so the trace is found by the root's id, not by the first CreateOrder span around.
    private static readonly ActivitySource TestSource = new("GrpcMesh.Tests.CreateOrderTracing");

    private static readonly Dictionary<string, string?> SampleAll = new()
    {
        ["Telemetry:SamplingRatio"] = "1",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_RealMesh_OneTraceWithServerAndClientSpansOfBothServices()
    {
        var ct = TestContext.Current.CancellationToken;
        var spans = new List<Activity>();
        void Export(IServiceCollection services) => services.ConfigureOpenTelemetryTracerProvider(t => t.AddSource(TestSource.Name).AddInMemoryExporter(new LockedList(spans)));

        using var userHost = new GrpcTestHost<UserServiceMarker>(SampleAll, Export);
        var userAddress = userHost.StartOnLoopback();
        using var orderHost = new GrpcTestHost<OrderServiceMarker>(SampleAll, services =>
        {
            Export(services);
            services.Configure<Clients.Options.GrpcMeshClientOptions>(GrpcMeshClientNames.UserService, o => o.Address = userAddress);
        });
        var user = (await new User.V1.UserService.UserServiceClient(userHost.Channel).CreateUserAsync(new CreateUserRequest
        {
            Email = $"trace-{Guid.NewGuid():N}@example.com",
            DisplayName = "Tracer",
            CreditLimit = TestData.Money(100_00),
        }, cancellationToken: ct)).User;

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test-root"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            var order = (await new Order.V1.OrderService.OrderServiceClient(orderHost.Channel)
                .CreateOrderAsync(TestData.Order(user.Id), cancellationToken: ct)).Order;
            Assert.Equal(OrderStatus.Confirmed, order.Status);
        }

        Activity[] snapshot = [];
        Activity? createOrder = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            lock (spans)
            {
                // Both in-process hosts' tracer providers see every span: keep one copy of each.
                snapshot = [.. spans.DistinctBy(s => s.SpanId)];
            }

            createOrder = snapshot.FirstOrDefault(s => s.TraceId == traceId && s.Kind == ActivityKind.Server && s.DisplayName.Contains("CreateOrder", StringComparison.Ordinal));
            if (createOrder is not null && snapshot.Count(s => s.TraceId == createOrder.TraceId && s.Kind == ActivityKind.Server) >= 3)
            {
                break;
            }

            await Task.Delay(50, ct);
        }

        Assert.NotNull(createOrder);
        var trace = snapshot.Where(s => s.TraceId == createOrder.TraceId).ToList();
        var described = string.Join("; ", trace.Select(s => $"{s.Kind} {s.DisplayName}"));
        foreach (var rpc in new[] { "GetUser", "ReserveCredit" })
        {
            var client = trace.SingleOrDefault(s => s.Kind == ActivityKind.Client && s.DisplayName.Contains(rpc, StringComparison.Ordinal));
            var server = trace.SingleOrDefault(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains(rpc, StringComparison.Ordinal));
            Assert.True(client is not null && server is not null, $"{rpc}: client and server spans expected in the CreateOrder trace: {described}");
            Assert.Equal(client.SpanId, server.ParentSpanId);
            Assert.Equal("OK", server.GetTagItem("rpc.response.status_code") as string);
        }
    }
}

/// <summary>The exporters of two hosts append from their own threads.</summary>
file sealed class LockedList(List<Activity> inner) : System.Collections.ObjectModel.Collection<Activity>
{
    protected override void InsertItem(int index, Activity item)
    {
        lock (inner)
        {
            inner.Add(item);
        }
    }
}

using System.Diagnostics;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Tests.Contract;
using GrpcMesh.Storage.Caching;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.OrderService.Tests.Postgres;

/// <summary>
/// Two replicas on one database: an order changed through A is dropped from B's read cache by the NOTIFY (with the order
/// id) that every order-changing transaction sends. Documented bound: A's commit plus the notification's trip; the test
/// allows 5 s so a loaded machine does not fail it.
/// </summary>
public sealed class PostgresOrderReadCacheTests(PostgresFixture postgres) : OrderServiceContract(new PostgresOrderStorage(postgres))
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CancelOnA_OrderCachedOnB_BShowsTheCancellationWithinTheBound()
    {
        await using var harness = await StartAsync();
        var replicaB = await harness.AddReplica();
        var b = OrderServiceHarness.Client(replicaB);
        var cacheOfB = replicaB.Services.GetRequiredService<ReadCache<OrderRecord>>();
        await Eventually.WaitAsync(() => cacheOfB.IsServing, "replica B's order cache to serve (its LISTEN in place)");
        var userId = harness.Users.AddUser(100_00);
        var order = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        Assert.Equal(OrderStatus.Confirmed, (await b.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order.Status);
        Assert.Equal(OrderStatus.Confirmed, (await b.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order.Status);
        Assert.True(cacheOfB.Count > 0, "B should have cached the order");

        var clock = Stopwatch.StartNew();
        var cancelled = (await harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.Id })).Order;
        await Eventually.WaitAsync(async () => (await b.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order.Equals(cancelled),
            "B to show the cancellation made on A", TimeSpan.FromSeconds(5));

        TestContext.Current.SendDiagnosticMessage($"A's cancellation visible on B after {clock.Elapsed.TotalMilliseconds:F1} ms");
    }
}

using GrpcMesh.Order.V1;
using OrderEventType = GrpcMesh.Order.V1.OrderEventType;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using static GrpcMesh.OrderService.Tests.Support.WatchReader;

namespace GrpcMesh.OrderService.Tests.Contract;

/// <summary>
/// Two OrderService replicas (two hosts, each with its own store instance, pool, event hub and sweeper) on ONE store.
/// Correctness must come from the database, not from in-process state. On SQLite the replicas share one file, as two
/// processes on one box would.
/// </summary>
public abstract class ReplicaContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    /// <summary>
    /// Processes sharing one SQLite file do not hear of each other's writes, so they run with the read cache off, as the
    /// README says to; PostgreSQL replicas keep it on (their NOTIFY feed keeps it coherent).
    /// </summary>
    private Task<OrderServiceHarness> StartReplicasAsync() => StartAsync(Storage is SqliteOrderStorage
        ? new Dictionary<string, string?> { ["Storage:ReadCache:Enabled"] = "false" }
        : null);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_SameRequestRacedOnTwoReplicas_ExactlyOneOrderAndOneReservation()
    {
        const int callers = 10;
        await using var harness = await StartReplicasAsync();
        var replicaB = await harness.AddReplica();
        var clients = new[] { harness.Orders, OrderServiceHarness.Client(replicaB) };
        var userId = harness.Users.AddUser(100_00);
        var request = TestData.Order(userId);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Users.GetUserGate = gate;

        // Every call gets past the request_id lookup and waits in GetUser, so all of them race to store the order.
        var calls = Enumerable.Range(0, callers).Select(i => clients[i % 2].CreateOrderAsync(request.Clone()).ResponseAsync).ToArray();
        await Eventually.WaitAsync(() => harness.Users.GetUserCalls == callers, "every call waits in GetUser");
        gate.SetResult();
        var orders = (await Task.WhenAll(calls)).Select(r => r.Order).ToArray();

        // A duplicate on the replica that does not run the saga gets the order as stored (maybe still PENDING).
        var id = Assert.Single(orders.Select(o => o.Id).Distinct());
        Assert.All(orders, o => Assert.Contains(o.Status, new[] { OrderStatus.Pending, OrderStatus.Confirmed }));
        Assert.Equal(1, harness.Users.ReserveCalls);
        Assert.Single(harness.Users.Reservations());
        Assert.Equal(70_00, harness.Users.AvailableCredit(userId));
        foreach (var client in clients)
        {
            Assert.Equal(OrderStatus.Confirmed, (await client.GetOrderAsync(new GetOrderRequest { OrderId = id })).Order.Status);
            Assert.Equal(id, Assert.Single((await client.ListOrdersAsync(new ListOrdersRequest { UserId = userId })).Orders).Id);
        }

        Assert.Equal(2, (await harness.Store.ReadEventsAsync(0, long.MaxValue, userId, 100, Ct)).Count);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_OrderCreatedThroughReplicaA_SeenByWatcherOnReplicaB()
    {
        await using var harness = await StartReplicasAsync();
        var replicaB = await harness.AddReplica();
        var userId = harness.Users.AddUser(100_00);
        using var watch = OrderServiceHarness.Client(replicaB).WatchOrders(new WatchOrdersRequest { UserId = userId });

        var order = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        var events = await ReadAsync(watch, 2, harness);

        Assert.Equal([(order.Id, OrderEventType.Created), (order.Id, OrderEventType.Confirmed)], events.Select(e => (e.Order.Id, e.Type)));
        Assert.Equal(order, events[1].Order);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Sweeper_TwoReplicasClaimDueCompensationsAtOnce_EachSagaClaimedOnce()
    {
        const int sagas = 20;
        await using var harness = await StartReplicasAsync();
        var replicaB = await harness.AddReplica();
        var now = harness.Time.GetUtcNow();
        for (var i = 0; i < sagas; i++)
        {
            var order = await StoreSeeding.StorePendingOrderAsync(harness, "usr_sweep");
            Assert.True((await harness.Store.TransitionAsync(
                new OrderTransition(order.Id, [OrderState.Pending], OrderState.Rejected, "test", SagaStep.Releasing, now, NextAttemptAt: now),
                Ct)).Applied);
        }

        var stores = new[] { harness.Store, replicaB.Services.GetRequiredService<IOrderStore>() };
        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => stores[i % 2].ClaimDueCompensationsAsync(now, now.AddSeconds(10), 5, Ct), Ct)));

        var claimed = claims.SelectMany(c => c).Select(s => s.OrderId).ToList();
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.Equal(sagas, claimed.Count + (await harness.Store.ClaimDueCompensationsAsync(now, now.AddSeconds(10), 100, Ct)).Count);
        // Leased: not due again until the lease ends, then due again (a claimer that died is replaced).
        Assert.Empty(await harness.Store.ClaimDueCompensationsAsync(now.AddSeconds(9), now.AddSeconds(20), 100, Ct));
        Assert.Equal(sagas, (await harness.Store.ClaimDueCompensationsAsync(now.AddSeconds(10), now.AddSeconds(20), 100, Ct)).Count);
    }
}

using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Grpc;
using DomainEventType = GrpcMesh.OrderService.Domain.OrderEventType;

namespace GrpcMesh.OrderService.Tests;

public sealed class RecoveryTests
{
    /// <summary>What a crash right after storing the PENDING order (before ReserveCredit answered) leaves behind.</summary>
    internal static async Task<OrderRecord> StorePendingOrderAsync(OrderServiceHarness harness, string userId)
    {
        var draft = OrderRequestValidation.Validate(TestData.Order(userId));
        var now = harness.Time.GetUtcNow();
        var order = draft.ToPendingOrder(OrderIds.New(now), now);
        Assert.True((await harness.Store.CreateAsync(order, CancellationToken.None)).Created);
        return order;
    }

    [Fact]
    public async Task Orders_HostRestarted_StillThereAndReplayDoesNotReserveAgain()
    {
        await using var harness = await OrderServiceHarness.StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var request = TestData.Order(userId);
        var order = (await harness.Orders.CreateOrderAsync(request)).Order;

        await harness.RestartAsync();

        Assert.Equal(order, (await harness.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order);
        Assert.Equal(order, Assert.Single((await harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = userId })).Orders));
        Assert.Equal(order.Id, (await harness.Orders.CreateOrderAsync(request)).Order.Id);
        Assert.Equal(1, harness.Users.ReserveCalls);
    }

    [Fact]
    public async Task Sweeper_PendingSagasLeftByCrash_RejectedAndCompensatedAfterRestart()
    {
        await using var harness = await OrderServiceHarness.StartAsync();
        var userId = harness.Users.AddUser(100_00);
        // Two sagas interrupted by a crash: one whose ReserveCredit had landed, one whose had not.
        var reserved = await StorePendingOrderAsync(harness, userId);
        Assert.NotNull(harness.Users.Reserve(reserved.ReservationId, userId, reserved.Total.Minor, "USD").Reservation);
        var notReserved = await StorePendingOrderAsync(harness, userId);

        await harness.RestartAsync();

        // Younger than PendingSagaTimeout: could still be running somewhere, left alone.
        harness.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(new Saga.SweepResult(0, 0, 0), await harness.SweepAsync());
        Assert.Equal(OrderState.Pending, (await harness.Store.GetAsync(reserved.Id, CancellationToken.None))!.State);

        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(new Saga.SweepResult(2, 2, 0), await harness.SweepAsync());

        foreach (var order in new[] { reserved, notReserved })
        {
            var after = await harness.Store.GetAsync(order.Id, CancellationToken.None);
            Assert.Equal(OrderState.Rejected, after!.State);
            Assert.Contains("interrupted", after.StateReason, StringComparison.Ordinal);
            Assert.Equal(SagaStep.Released, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);
        }

        Assert.True(harness.Users.Reservation(reserved.ReservationId)!.Released);
        Assert.Null(harness.Users.Reservation(notReserved.ReservationId));
        Assert.Equal(100_00, harness.Users.AvailableCredit(userId));
        var events = await harness.Store.ReadEventsAsync(0, userId, 100, CancellationToken.None);
        Assert.Equal(
            [DomainEventType.Created, DomainEventType.Created, DomainEventType.Rejected, DomainEventType.Rejected],
            events.Select(e => e.Type));
        Assert.Equal(new Saga.SweepResult(0, 0, 0), await harness.SweepAsync());
    }

    [Fact]
    public async Task Startup_InvalidOrdersOptions_HostFailsToStart()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => OrderServiceHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Orders:UserServiceTimeout"] = "00:00:40",
            ["Orders:PendingSagaTimeout"] = "00:01:00",
        }));

        Assert.Contains("PendingSagaTimeout", ex.ToString(), StringComparison.Ordinal);
    }
}

using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.Testing;
using DomainEventType = GrpcMesh.OrderService.Domain.OrderEventType;

namespace GrpcMesh.OrderService.Tests.Contract;

public abstract class RecoveryContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Orders_HostRestarted_StillThereAndReplayDoesNotReserveAgain()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var request = TestData.Order(userId);
        var order = (await harness.Orders.CreateOrderAsync(request)).Order;

        await harness.RestartAsync();

        Assert.Equal(order, (await harness.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order);
        Assert.Equal(order, Assert.Single((await harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = userId })).Orders));
        Assert.Equal(order.Id, (await harness.Orders.CreateOrderAsync(request)).Order.Id);
        Assert.Equal(1, harness.Users.ReserveCalls);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Sweeper_PendingSagasLeftByCrash_RejectedAndCompensatedAfterRestart()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        // Two sagas interrupted by a crash: one whose ReserveCredit had landed, one whose had not.
        var reserved = await StoreSeeding.StorePendingOrderAsync(harness, userId);
        Assert.NotNull(harness.Users.Reserve(reserved.ReservationId, userId, reserved.Total.Cents, "USD").Reservation);
        var notReserved = await StoreSeeding.StorePendingOrderAsync(harness, userId);

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
        var events = await harness.Store.ReadEventsAsync(0, long.MaxValue, userId, 100, CancellationToken.None);
        Assert.Equal(
            [DomainEventType.Created, DomainEventType.Created, DomainEventType.Rejected, DomainEventType.Rejected],
            events.Select(e => e.Type));
        Assert.Equal(new Saga.SweepResult(0, 0, 0), await harness.SweepAsync());
    }
}

using Grpc.Core;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Tests.Fakes;
using GrpcMesh.Testing;

namespace GrpcMesh.OrderService.Tests.Contract;

/// <summary>UserService failing in the middle of the saga: no CONFIRMED order, and no reservation left behind.</summary>
public abstract class CreateOrderFailureContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_UserServiceDown_UnavailableAndNoOrderStored()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        harness.Users.Down = true;
        var request = TestData.Order(userId);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Orders.CreateOrderAsync(request));

        Assert.Contains("no order was created", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Null(await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None));

        // Once UserService is back, the same request creates the order.
        harness.Users.Down = false;
        var order = (await harness.Orders.CreateOrderAsync(request)).Order;
        Assert.Equal(Order.V1.OrderStatus.Confirmed, order.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_UserServiceDiesAfterReserving_UnavailableAndSweeperReleasesWhenBack()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        harness.Users.ReserveFault = ReserveFault.UnavailableAfterReservingThenDown;
        var request = TestData.Order(userId);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Orders.CreateOrderAsync(request));

        var order = await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None);
        Assert.NotNull(order);
        Assert.Contains(order.Id, ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(OrderState.Rejected, order.State);
        var saga = await harness.Store.GetSagaAsync(order.Id, CancellationToken.None);
        Assert.Equal(SagaStep.Releasing, saga!.Step);
        Assert.Equal(1, saga.Attempts); // the immediate release attempt failed too
        Assert.False(harness.Users.Reservation(order.Id)!.Released);
        var events = await harness.Store.ReadEventsAsync(0, long.MaxValue, userId, 100, CancellationToken.None);
        Assert.Equal([OrderEventType.Created, OrderEventType.Rejected], events.Select(e => e.Type));

        // Not due yet: the sweeper leaves it alone.
        Assert.Equal(new Saga.SweepResult(0, 0, 0), await harness.SweepAsync());

        // Due, but UserService is still down: retried later with backoff.
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new Saga.SweepResult(0, 0, 1), await harness.SweepAsync());
        saga = await harness.Store.GetSagaAsync(order.Id, CancellationToken.None);
        Assert.Equal(2, saga!.Attempts);
        Assert.Equal(harness.Time.GetUtcNow() + TimeSpan.FromSeconds(2), saga.NextAttemptAt);

        harness.Users.Down = false;
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(new Saga.SweepResult(0, 1, 0), await harness.SweepAsync());

        Assert.True(harness.Users.Reservation(order.Id)!.Released);
        Assert.Equal(100_00, harness.Users.AvailableCredit(userId));
        Assert.Equal(SagaStep.Released, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);
        Assert.Equal(OrderState.Rejected, (await harness.Store.GetAsync(order.Id, CancellationToken.None))!.State);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_ReservationAnswerTimesOut_DeadlineExceededRejectedAndReleased()
    {
        await using var harness = await StartAsync(new Dictionary<string, string?>
        {
            // ReserveCredit hangs for good, so any timeout ends it; 2 s leaves GetUser, which runs first under the same
            // timeout, room on a loaded machine (300 ms once expired during GetUser).
            ["Orders:UserServiceTimeout"] = "00:00:02",
        });
        var userId = harness.Users.AddUser(100_00);
        harness.Users.ReserveFault = ReserveFault.HangAfterReserving;
        var request = TestData.Order(userId);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.DeadlineExceeded, () => harness.Orders.CreateOrderAsync(request));

        Assert.Contains("ReserveCredit", ex.Status.Detail, StringComparison.Ordinal);
        var order = await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None);
        Assert.Equal(OrderState.Rejected, order!.State);
        // The reservation did land; the immediate compensation released it.
        Assert.True(harness.Users.Reservation(order.Id)!.Released);
        Assert.Equal(SagaStep.Released, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);
        Assert.Equal(100_00, harness.Users.AvailableCredit(userId));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_ReserveFailsBeforeReserving_ReleaseNotFoundTrustedOnlyAfterSettleTime()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        harness.Users.ReserveFault = ReserveFault.UnavailableBeforeReserving;
        var request = TestData.Order(userId);

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Orders.CreateOrderAsync(request));

        var order = await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None);
        Assert.Equal(OrderState.Rejected, order!.State);
        var saga = await harness.Store.GetSagaAsync(order.Id, CancellationToken.None);
        // ReleaseCredit said NOT_FOUND, but a delayed ReserveCredit could still land: checked again once PendingSagaTimeout has passed.
        Assert.Equal(SagaStep.Releasing, saga!.Step);
        Assert.Equal(OrderServiceHarness.StartTime + TimeSpan.FromMinutes(1), saga.NextAttemptAt);

        harness.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(new Saga.SweepResult(0, 0, 0), await harness.SweepAsync());
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new Saga.SweepResult(0, 1, 0), await harness.SweepAsync());
        Assert.Equal(SagaStep.Released, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);
        Assert.Empty(harness.Users.Reservations());
        Assert.Equal(2, harness.Users.ReleaseCalls);
    }
}

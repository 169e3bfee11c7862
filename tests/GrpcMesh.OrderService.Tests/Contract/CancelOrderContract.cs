using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.Testing;
using DomainEventType = GrpcMesh.OrderService.Domain.OrderEventType;

namespace GrpcMesh.OrderService.Tests.Contract;

public abstract class CancelOrderContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CancelOrder_Confirmed_CancelsReleasesCreditAndIsIdempotent()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var order = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        var cancelled = (await harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.Id, Reason = "changed my mind" })).Order;

        Assert.Equal((OrderStatus.Cancelled, "changed my mind"), (cancelled.Status, cancelled.StatusReason));
        Assert.Equal(OrderServiceHarness.StartTime.AddMinutes(1), cancelled.UpdateTime.ToDateTimeOffset());
        Assert.True(harness.Users.Reservation(order.Id)!.Released);
        Assert.Equal(100_00, harness.Users.AvailableCredit(userId));
        Assert.Equal(SagaStep.Released, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);

        var again = (await harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.Id })).Order;

        Assert.Equal(cancelled, again);
        Assert.Equal(1, harness.Users.ReleaseCalls);
        var events = await harness.Store.ReadEventsAsync(0, long.MaxValue, userId, 100, CancellationToken.None);
        Assert.Equal([DomainEventType.Created, DomainEventType.Confirmed, DomainEventType.Cancelled], events.Select(e => e.Type));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetOrder_CachedThenCancelled_NextReadShowsCancelled()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var order = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        Assert.Equal(OrderStatus.Confirmed, (await harness.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order.Status);

        var cancelled = (await harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.Id })).Order;

        Assert.Equal(cancelled, (await harness.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order);
        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CancelOrder_UserServiceDown_CancelledNowCreditReleasedBySweeperLater()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var order = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        harness.Users.Down = true;

        var cancelled = (await harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.Id })).Order;

        Assert.Equal((OrderStatus.Cancelled, "cancelled by the client"), (cancelled.Status, cancelled.StatusReason));
        Assert.False(harness.Users.Reservation(order.Id)!.Released);
        Assert.Equal(SagaStep.Releasing, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);

        harness.Users.Down = false;
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new Saga.SweepResult(0, 1, 0), await harness.SweepAsync());
        Assert.True(harness.Users.Reservation(order.Id)!.Released);
        Assert.Equal(SagaStep.Released, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CancelOrder_Rejected_FailedPrecondition()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(1_00);
        var request = TestData.Order(userId);
        await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => harness.Orders.CreateOrderAsync(request));
        var rejected = await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = rejected!.Id }));

        Assert.Equal("ORDER_REJECTED", ex.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations[0].Type);
        Assert.Equal(OrderState.Rejected, (await harness.Store.GetAsync(rejected!.Id, CancellationToken.None))!.State);
        Assert.Equal(0, harness.Users.ReleaseCalls);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CancelOrder_Pending_FailedPrecondition()
    {
        await using var harness = await StartAsync();
        var pending = await StoreSeeding.StorePendingOrderAsync(harness, "usr_pending");

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = pending.Id }));

        Assert.Equal("ORDER_PENDING", ex.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations[0].Type);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CancelOrder_UnknownOrder_NotFound()
    {
        await using var harness = await StartAsync();

        var ex = await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = "ord_missing" }));

        Assert.Contains("ord_missing", ex.Status.Detail, StringComparison.Ordinal);
    }
}

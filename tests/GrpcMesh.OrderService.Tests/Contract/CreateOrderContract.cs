using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using DomainEventType = GrpcMesh.OrderService.Domain.OrderEventType;

namespace GrpcMesh.OrderService.Tests.Contract;

public abstract class CreateOrderContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_UserHasCredit_ConfirmedWithReservationAndOutboxEvents()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(creditLimitMinor: 100_00);
        var request = TestData.Order(userId);

        var order = (await harness.Orders.CreateOrderAsync(request)).Order;

        Assert.Equal(OrderStatus.Confirmed, order.Status);
        Assert.StartsWith("ord_", order.Id, StringComparison.Ordinal);
        Assert.Equal(request.RequestId, order.RequestId);
        Assert.Equal(userId, order.UserId);
        Assert.Equal(30_00, TestData.Cents(order.Total));
        Assert.Equal("USD", order.Total.CurrencyCode);
        Assert.Equal(request.Items, order.Items);
        Assert.Equal(OrderServiceHarness.StartTime, order.CreateTime.ToDateTimeOffset());

        var reservation = harness.Users.Reservation(order.Id);
        Assert.NotNull(reservation);
        Assert.Equal((userId, 30_00L, false), (reservation.UserId, reservation.AmountMinor, reservation.Released));
        Assert.Equal(70_00, harness.Users.AvailableCredit(userId));

        var events = await harness.Store.ReadEventsAsync(0, long.MaxValue, userId, 100, CancellationToken.None);
        Assert.Equal([DomainEventType.Created, DomainEventType.Confirmed], events.Select(e => e.Type));
        Assert.Equal([OrderState.Pending, OrderState.Confirmed], events.Select(e => e.Order.State));
        Assert.True(events[0].Sequence < events[1].Sequence);
        Assert.Equal(SagaStep.Reserved, (await harness.Store.GetSagaAsync(order.Id, CancellationToken.None))!.Step);

        var fetched = (await harness.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.Id })).Order;
        Assert.Equal(order, fetched);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_InsufficientCredit_FailedPreconditionAndOrderRejectedWithoutReservation()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(creditLimitMinor: 10_00);
        var request = TestData.Order(userId);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => harness.Orders.CreateOrderAsync(request));

        var precondition = ex.GetRpcStatus()!.GetDetail<PreconditionFailure>();
        Assert.Equal("INSUFFICIENT_CREDIT", Assert.Single(precondition.Violations).Type);
        Assert.Contains("insufficient credit", ex.Status.Detail, StringComparison.Ordinal);
        var stored = await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Contains(stored.Id, ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(OrderState.Rejected, stored.State);
        Assert.StartsWith("credit reservation refused", stored.StateReason, StringComparison.Ordinal);
        Assert.Equal(SagaStep.NotReserved, (await harness.Store.GetSagaAsync(stored.Id, CancellationToken.None))!.Step);
        Assert.Empty(harness.Users.Reservations());
        var events = await harness.Store.ReadEventsAsync(0, long.MaxValue, userId, 100, CancellationToken.None);
        Assert.Equal([DomainEventType.Created, DomainEventType.Rejected], events.Select(e => e.Type));

        // A retry of the same request returns the rejected order as it is, without asking UserService again.
        var replay = (await harness.Orders.CreateOrderAsync(request)).Order;
        Assert.Equal((stored.Id, OrderStatus.Rejected), (replay.Id, replay.Status));
        Assert.Equal(1, harness.Users.ReserveCalls);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_UnknownUser_NotFoundAndNoOrderStored()
    {
        await using var harness = await StartAsync();
        var request = TestData.Order("usr_missing");

        var ex = await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => harness.Orders.CreateOrderAsync(request));

        Assert.Equal("usr_missing", ex.GetRpcStatus()!.GetDetail<ResourceInfo>().ResourceName);
        Assert.Null(await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None));
        Assert.Equal(0, harness.Users.ReserveCalls);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(UserStatus.Suspended)]
    [InlineData(UserStatus.Deleted)]
    public async Task CreateOrder_InactiveUser_FailedPreconditionAndNoOrderStored(UserStatus status)
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00, status: status);
        var request = TestData.Order(userId);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => harness.Orders.CreateOrderAsync(request));

        Assert.Equal("USER_NOT_ACTIVE", ex.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations[0].Type);
        Assert.Null(await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None));
        Assert.Equal(0, harness.Users.ReserveCalls);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_PricedInOtherCurrencyThanCredit_FailedPreconditionAndNoOrderStored()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00, currency: "EUR");
        var request = TestData.Order(userId);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => harness.Orders.CreateOrderAsync(request));

        Assert.Equal("CURRENCY_MISMATCH", ex.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations[0].Type);
        Assert.Null(await harness.Store.FindByRequestIdAsync(request.RequestId, CancellationToken.None));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_CallerDeadline_PropagatedToUserServiceCalls()
    {
        await using var harness = await StartAsync(new Dictionary<string, string?>
        {
            ["Orders:UserServiceTimeout"] = "00:00:20",
        });
        var userId = harness.Users.AddUser(100_00);
        var callerDeadline = DateTime.UtcNow.AddSeconds(8);

        await harness.Orders.CreateOrderAsync(TestData.Order(userId), deadline: callerDeadline);
        var capped = DateTime.UtcNow.AddSeconds(20);
        await harness.Orders.CreateOrderAsync(TestData.Order(userId));

        var seen = harness.Users.Deadlines.ToArray();
        Assert.Equal(["GetUser", "ReserveCredit", "GetUser", "ReserveCredit"], seen.Select(d => d.Method));
        // Deadlines cross the wire as relative timeouts, so allow for the time the hops took.
        Assert.All(seen[..2], d => Assert.InRange(d.Deadline, callerDeadline.AddSeconds(-5), callerDeadline.AddSeconds(3)));
        Assert.All(seen[2..], d => Assert.InRange(d.Deadline, capped.AddSeconds(-5), capped.AddSeconds(3)));
    }
}

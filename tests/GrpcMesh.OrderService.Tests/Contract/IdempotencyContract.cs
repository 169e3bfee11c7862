using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;

namespace GrpcMesh.OrderService.Tests.Contract;

public abstract class IdempotencyContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_TenIdenticalConcurrentCalls_OneOrderOneReservationSameFinalOrderForAll()
    {
        const int callers = 10;
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var request = TestData.Order(userId);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Users.GetUserGate = gate;

        // Every call gets past the request_id lookup and waits in GetUser, so all of them race to store the order.
        var calls = Enumerable.Range(0, callers)
            .Select(_ => harness.Orders.CreateOrderAsync(request.Clone()).ResponseAsync)
            .ToArray();
        await Eventually.WaitAsync(() => harness.Users.GetUserCalls == callers, "every call waits in GetUser");
        gate.SetResult();
        var orders = (await Task.WhenAll(calls)).Select(r => r.Order).ToArray();

        var id = orders[0].Id;
        Assert.All(orders, o => Assert.Equal((id, OrderStatus.Confirmed), (o.Id, o.Status)));
        Assert.Equal(1, harness.Users.ReserveCalls);
        Assert.Single(harness.Users.Reservations());
        Assert.Equal(70_00, harness.Users.AvailableCredit(userId));
        var listed = await harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = userId });
        Assert.Equal(id, Assert.Single(listed.Orders).Id);
        var events = await harness.Store.ReadEventsAsync(0, long.MaxValue, userId, 100, CancellationToken.None);
        Assert.Equal(2, events.Count);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_RetryAfterSuccess_ReturnsSameOrderWithoutCallingUserService()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var request = TestData.Order(userId);
        var first = (await harness.Orders.CreateOrderAsync(request)).Order;
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        var second = (await harness.Orders.CreateOrderAsync(request)).Order;

        Assert.Equal(first, second);
        Assert.Equal((1, 1), (harness.Users.GetUserCalls, harness.Users.ReserveCalls));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_SameRequestIdDifferentPayload_AlreadyExists()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(100_00);
        var request = TestData.Order(userId);
        var first = (await harness.Orders.CreateOrderAsync(request)).Order;
        var changed = request.Clone();
        changed.Items[0].Quantity = 3;

        var ex = await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists, () => harness.Orders.CreateOrderAsync(changed));

        Assert.Contains(request.RequestId, ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(first.Id, ex.GetRpcStatus()!.GetDetail<ResourceInfo>().ResourceName);
        var otherUser = harness.Users.AddUser(100_00);
        await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => harness.Orders.CreateOrderAsync(TestData.Order(otherUser, request.RequestId)));
        Assert.Equal(1, harness.Users.ReserveCalls);
    }
}

using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;

namespace GrpcMesh.OrderService.Tests;

public sealed class ValidationTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_ManyBadFields_OneInvalidArgumentNamingEachFieldPath()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new SqliteOrderStorage());
        var request = TestData.Order("bad user id", "",
            TestData.Item("", 1, 100),
            TestData.Item("SKU-2", 0, 100),
            TestData.Item("SKU-3", 1001, 100),
            TestData.Item("SKU-4", 1, 100),
            TestData.Item("SKU-5", 1, 100),
            TestData.Item("SKU-6", 1, 100, currency: "usd"),
            TestData.Item("SKU-7", 1, 100, currency: "EUR"),
            TestData.Item(new string('s', 65), 1, 100),
            new OrderItem { Sku = "SKU-9", Quantity = 1 });
        request.Items[3].UnitPrice.Nanos = 5;
        request.Items[4].UnitPrice.Units = -1;

        var badRequest = await RpcAssert.InvalidArgumentAsync(() => harness.Orders.CreateOrderAsync(request),
            "request_id", "user_id",
            "items[0].sku", "items[1].quantity", "items[2].quantity", "items[3].unit_price.nanos", "items[4].unit_price.units",
            "items[5].unit_price.currency_code", "items[6].unit_price.currency_code", "items[7].sku", "items[8].unit_price");

        Assert.Contains("same currency", badRequest.FieldViolations.Single(v => v.Field == "items[6].unit_price.currency_code").Description,
            StringComparison.Ordinal);
        // The shared Money validation: UserService's CreateUserValidationTests expect the same words for credit limits.
        Assert.Equal("must be whole cents: a multiple of 10,000,000 from 0 to 990,000,000 (got 5)",
            badRequest.FieldViolations.Single(v => v.Field == "items[3].unit_price.nanos").Description);
        Assert.Equal("must be between 0 and 1,000,000,000,000,000 (got -1)",
            badRequest.FieldViolations.Single(v => v.Field == "items[4].unit_price.units").Description);
        Assert.Equal(0, harness.Users.GetUserCalls);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_NoItemsTooManyItemsOrZeroTotal_InvalidArgumentOnItems()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new SqliteOrderStorage());
        var tooMany = Enumerable.Range(0, 101).Select(i => TestData.Item($"SKU-{i}", 1, 100)).ToArray();

        await RpcAssert.InvalidArgumentAsync(() => harness.Orders.CreateOrderAsync(TestData.Order("usr_1", null, [])), "items");
        await RpcAssert.InvalidArgumentAsync(() => harness.Orders.CreateOrderAsync(TestData.Order("usr_1", null, tooMany)), "items");
        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.CreateOrderAsync(TestData.Order("usr_1", null, TestData.Item("FREE", 2, 0))), "items");
        var maxPriceCents = GrpcMesh.Domain.Money.MaxCents;
        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.CreateOrderAsync(TestData.Order("usr_1", null, TestData.Item("HUGE", 1000, maxPriceCents))), "items");
        await RpcAssert.InvalidArgumentAsync(() => harness.Orders.CreateOrderAsync(TestData.Order("usr_1", null,
            TestData.Item("HALF", 1, (maxPriceCents / 2) + 1), TestData.Item("HALF", 1, (maxPriceCents / 2) + 1))), "items");
        var unrepresentable = TestData.Item("HUGE", 1, 0);
        unrepresentable.UnitPrice.Units = long.MaxValue;
        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.CreateOrderAsync(TestData.Order("usr_1", null, unrepresentable)), "items[0].unit_price.units");
        var aboveMax = TestData.Item("HUGE", 1, 0);
        aboveMax.UnitPrice.Units = GrpcMesh.Domain.Money.MaxUnits + 1;
        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.CreateOrderAsync(TestData.Order("usr_1", null, aboveMax)), "items[0].unit_price.units");
        Assert.Equal(0, harness.Users.GetUserCalls);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task OtherRpcs_BadFields_InvalidArgumentNamingTheField()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new SqliteOrderStorage());

        await RpcAssert.InvalidArgumentAsync(() => harness.Orders.GetOrderAsync(new GetOrderRequest()), "order_id");
        await RpcAssert.InvalidArgumentAsync(() => harness.Orders.GetOrderAsync(new GetOrderRequest { OrderId = "ord/../x" }), "order_id");
        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = "ord_1", Reason = new string('r', 257) }), "reason");
        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.ListOrdersAsync(new ListOrdersRequest { UserId = "usr_1", PageSize = 1001 }), "page_size");
        await RpcAssert.InvalidArgumentAsync(
            () => harness.Orders.ListOrdersAsync(new ListOrdersRequest { PageSize = -1 }), "user_id", "page_size");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_NegativeSequenceOrBadUserId_InvalidArgumentNamingBothFields()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new SqliteOrderStorage());

        var ex = await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument, async () =>
        {
            using var call = harness.Orders.WatchOrders(new WatchOrdersRequest { UserId = "bad user", AfterSequence = -1 });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        var fields = ex.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field);
        Assert.Equal(["after_sequence", "user_id"], fields.Order());
    }
}

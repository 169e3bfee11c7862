using GrpcMesh.Order.V1;
using ProtoMoney = GrpcMesh.Common.V1.Money;

namespace GrpcMesh.OrderService.Tests.Support;

public static class TestData
{
    public static ProtoMoney Money(long cents, string currency = "USD") =>
        new() { CurrencyCode = currency, Units = cents / 100, Nanos = (int)(cents % 100) * 10_000_000 };

    public static OrderItem Item(string sku, int quantity, long unitCents, string currency = "USD") =>
        new() { Sku = sku, Quantity = quantity, UnitPrice = Money(unitCents, currency) };

    /// <summary>2 × 12.50 + 1 × 5.00 = 30.00 USD.</summary>
    public static CreateOrderRequest Order(string userId, string? requestId = null) =>
        Order(userId, requestId, Item("SKU-BOOK", 2, 1250), Item("SKU-PEN", 1, 500));

    public static CreateOrderRequest Order(string userId, string? requestId, params OrderItem[] items)
    {
        var request = new CreateOrderRequest { RequestId = requestId ?? NewRequestId(), UserId = userId };
        request.Items.AddRange(items);
        return request;
    }

    public static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    public static long Cents(ProtoMoney money) => money.Units * 100 + money.Nanos / 10_000_000;
}

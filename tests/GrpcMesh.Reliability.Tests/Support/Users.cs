using GrpcMesh.Order.V1;
using GrpcMesh.User.V1;
using ProtoMoney = GrpcMesh.Common.V1.Money;

namespace GrpcMesh.Reliability.Tests.Support;

internal static class Users
{
    public static ProtoMoney Usd(long cents) =>
        new() { CurrencyCode = "USD", Units = cents / 100, Nanos = (int)(cents % 100) * 10_000_000 };

    public static CreateUserRequest NewUser(long creditCents = 1_000_00) => new()
    {
        RequestId = "req-" + Guid.NewGuid().ToString("N"),
        Email = $"u{Guid.NewGuid():N}@example.com",
        DisplayName = "Test User",
        CreditLimit = Usd(creditCents),
    };

    /// <summary>2 × 12.50 USD = 25.00 USD.</summary>
    public static CreateOrderRequest NewOrder(string userId, string? requestId = null)
    {
        var request = new CreateOrderRequest { RequestId = requestId ?? "req-" + Guid.NewGuid().ToString("N"), UserId = userId };
        request.Items.Add(new OrderItem { Sku = "SKU-BOOK", Quantity = 2, UnitPrice = Usd(1250) });
        return request;
    }
}

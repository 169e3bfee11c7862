using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Common.V1;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>Business calls into the cluster's pods as an outside caller makes them: plain generated clients, no retries.</summary>
internal sealed class MeshCalls(TestTokens tokens)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public Metadata Headers { get; } = TestTokens.Bearer(tokens.Create("deploy-tests", TimeSpan.FromHours(1), "users.read", "users.write", "orders.read", "orders.write"));

    public async Task<string> CreateUserAsync(Pod userService)
    {
        using var channel = GrpcChannel.ForAddress(userService.Url("grpc"));
        var reply = await new UserService.UserServiceClient(channel).CreateUserAsync(
            new CreateUserRequest
            {
                Email = $"{Guid.NewGuid():N}@example.com",
                DisplayName = "Deploy test",
                CreditLimit = new Money { CurrencyCode = "USD", Units = 1_000_000_000 },
            },
            Headers,
            DateTime.UtcNow + Deadline);
        return reply.User.Id;
    }

    public static CreateOrderRequest Order(string userId) => new()
    {
        RequestId = Guid.NewGuid().ToString("N"),
        UserId = userId,
        Items = { new OrderItem { Sku = "BOOK-1", Quantity = 1, UnitPrice = new Money { CurrencyCode = "USD", Units = 1 } } },
    };

    public async Task<Order.V1.Order> CreateOrderAsync(OrderService.OrderServiceClient client, string userId) =>
        (await client.CreateOrderAsync(Order(userId), Headers, DateTime.UtcNow + Deadline)).Order;
}

using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Grpc;

namespace GrpcMesh.OrderService.Tests.Support;

internal static class StoreSeeding
{
    /// <summary>What a crash right after storing the PENDING order (before ReserveCredit answered) leaves behind.</summary>
    public static async Task<OrderRecord> StorePendingOrderAsync(OrderServiceHarness harness, string userId, int lines = 2)
    {
        var items = Enumerable.Range(0, lines).Select(i => TestData.Item($"SKU-{i:D3}-" + new string('x', 56), 1, 100)).ToArray();
        var draft = OrderRequestParser.Parse(TestData.Order(userId, null, items));
        var now = harness.Time.GetUtcNow();
        var order = draft.ToPendingOrder(OrderIds.New(now), now);
        Assert.True((await harness.Store.CreateAsync(order, CancellationToken.None)).Created);
        return order;
    }
}

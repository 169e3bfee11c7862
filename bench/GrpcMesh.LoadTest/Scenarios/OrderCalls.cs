using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Common.V1;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.Order.V1;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;

namespace GrpcMesh.LoadTest.Scenarios;

internal static class OrderCalls
{
    /// <summary>
    /// CreateOrder for the seeded users in turn: one item at 0.01 USD (credit lasts), a new request_id per call
    /// (<paramref name="runId"/> keeps runs apart), so every call is a new order running the whole saga.
    /// </summary>
    public static CallFactory CreateOrder(IReadOnlyList<string> userIds, string runId, Metadata headers) => invoker =>
    {
        var client = new OrderServiceClient(invoker);
        return (sequence, cancellationToken) =>
            client.CreateOrderAsync(NewOrder(userIds[(int)(sequence % userIds.Count)], $"{runId}-{sequence}"),
                headers, cancellationToken: cancellationToken).ResponseAsync;
    };

    /// <summary>GetOrder cycling through <paramref name="orderIds"/> (a local read in OrderService).</summary>
    public static CallFactory GetOrder(IReadOnlyList<string> orderIds, Metadata headers)
    {
        var requests = orderIds.Select(id => new GetOrderRequest { OrderId = id }).ToArray();
        return invoker =>
        {
            var client = new OrderServiceClient(invoker);
            return (sequence, cancellationToken) =>
                client.GetOrderAsync(requests[sequence % requests.Length], headers, cancellationToken: cancellationToken).ResponseAsync;
        };
    }

    public static async Task<string[]> SeedAsync(Uri address, IReadOnlyList<string> userIds, int count, Metadata headers, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new OrderServiceClient(channel);
        var ids = new string[count];
        var runId = "seed-" + Guid.NewGuid().ToString("N")[..8];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var response = await client.CreateOrderAsync(NewOrder(userIds[i % userIds.Count], $"{runId}-{i}"),
                    headers, DateTime.UtcNow.AddSeconds(30), ct);
                ids[i] = response.Order.Id;
            });
        return ids;
    }

    private static CreateOrderRequest NewOrder(string userId, string requestId) => new()
    {
        RequestId = requestId,
        UserId = userId,
        Items = { new OrderItem { Sku = "BENCH-SKU", Quantity = 1, UnitPrice = new Money { CurrencyCode = "USD", Units = 0, Nanos = 10_000_000 } } },
    };
}

using System.Collections.Concurrent;
using GrpcMesh.Common.V1;
using GrpcMesh.Order.V1;
using OrderMessage = GrpcMesh.Order.V1.Order;

namespace GrpcMesh.Bench.BaselineServer;

/// <summary>Orders by id, created as OrderService would answer them (confirmed, total computed); no saga, no checks.</summary>
public sealed class InMemoryOrders
{
    private const long NanosPerUnit = 1_000_000_000;

    private readonly ConcurrentDictionary<string, OrderMessage> _orders = new(StringComparer.Ordinal);
    private long _nextId;

    public OrderMessage Add(CreateOrderRequest request, DateTime now)
    {
        var timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now);
        var totalNanos = request.Items.Sum(i => i.Quantity * ((i.UnitPrice.Units * NanosPerUnit) + i.UnitPrice.Nanos));
        var order = new OrderMessage
        {
            Id = $"ord_{Interlocked.Increment(ref _nextId):D8}",
            UserId = request.UserId,
            Items = { request.Items },
            Total = new Money
            {
                CurrencyCode = request.Items.FirstOrDefault()?.UnitPrice.CurrencyCode ?? "USD",
                Units = totalNanos / NanosPerUnit,
                Nanos = (int)(totalNanos % NanosPerUnit),
            },
            Status = OrderStatus.Confirmed,
            RequestId = request.RequestId,
            CreateTime = timestamp,
            UpdateTime = timestamp,
        };
        _orders[order.Id] = order;
        return order;
    }

    public OrderMessage? Find(string id) => _orders.GetValueOrDefault(id);
}

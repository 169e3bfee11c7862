using GrpcMesh.Domain;

namespace GrpcMesh.OrderService.Domain;

/// <summary>A validated CreateOrder request.</summary>
public sealed record NewOrder(string RequestId, string UserId, IReadOnlyList<OrderLine> Lines, Money Total)
{
    /// <summary>True when <paramref name="order"/> was created from an identical request (idempotent replay).</summary>
    public bool IsSameRequestAs(OrderRecord order) =>
        order.RequestId == RequestId
        && order.UserId == UserId
        && order.Lines.SequenceEqual(Lines);

    public OrderRecord ToPendingOrder(string id, DateTimeOffset now) =>
        new(id, RequestId, UserId, Lines, Total, OrderState.Pending, "", now, now);
}

using GrpcMesh.Domain;

namespace GrpcMesh.OrderService.Domain;

public sealed record OrderRecord(
    string Id,
    string RequestId,
    string UserId,
    IReadOnlyList<OrderLine> Lines,
    Money Total,
    OrderState State,
    string StateReason,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    /// <summary>The credit reservation of an order is named after the order (one reservation per order, replay-safe).</summary>
    public string ReservationId => Id;

    public bool IsFinal => State != OrderState.Pending;
}

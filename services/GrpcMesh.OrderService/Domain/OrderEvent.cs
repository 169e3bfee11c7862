namespace GrpcMesh.OrderService.Domain;

public enum OrderEventType
{
    Created = 1,
    Confirmed = 2,
    Rejected = 3,
    Cancelled = 4,
}

/// <summary>One outbox row: the order as it was right after a state change, in commit order.</summary>
public sealed record OrderEvent(long Sequence, OrderEventType Type, OrderRecord Order, DateTimeOffset EventTime);

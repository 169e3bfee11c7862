namespace GrpcMesh.OrderService.Domain;

/// <summary>
/// Where an order's credit saga stands. Stored next to the order and changed in the same transaction.
/// <code>
/// Reserving ──ReserveCredit OK──────────────▶ Reserved ──CancelOrder──▶ Releasing
///     │ ──refused (no credit, inactive…)──▶ NotReserved                     │
///     └─ failed/unknown outcome, crash ───────────────────────────────▶ Releasing ──ReleaseCredit OK──▶ Released
/// </code>
/// </summary>
public enum SagaStep
{
    /// <summary>Order PENDING; ReserveCredit may be in flight.</summary>
    Reserving = 1,

    /// <summary>Order CONFIRMED; the reservation is held.</summary>
    Reserved = 2,

    /// <summary>Order REJECTED by UserService; nothing was reserved.</summary>
    NotReserved = 3,

    /// <summary>A reservation may be held and must be released (compensation pending, retried by the sweeper).</summary>
    Releasing = 4,

    /// <summary>The reservation was released (or provably never made).</summary>
    Released = 5,
}

public sealed record SagaRecord(
    string OrderId,
    string ReservationId,
    SagaStep Step,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt);

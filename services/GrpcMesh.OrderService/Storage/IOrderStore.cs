using GrpcMesh.OrderService.Domain;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// Orders, their saga records and the order_events outbox. Every method that changes an order writes the
/// order, its saga step and one outbox event in one transaction. Implementations: SQLite (embedded default);
/// a PostgreSQL one can be added behind this interface without touching the services.
/// </summary>
public interface IOrderStore
{
    /// <summary>Creates or upgrades the schema; called once on start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    Task<OrderRecord?> GetAsync(string orderId, CancellationToken cancellationToken);

    Task<OrderRecord?> FindByRequestIdAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>A user's orders, newest first (create time, then id, descending), strictly after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<OrderRecord>> ListByUserAsync(string userId, OrderCursor? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the PENDING <paramref name="order"/> with its saga (<see cref="SagaStep.Reserving"/>) and a CREATED event,
    /// unless an order with the same request id exists: then nothing is written and that order is returned.
    /// </summary>
    Task<CreateResult> CreateAsync(OrderRecord order, CancellationToken cancellationToken);

    /// <summary>
    /// If the order's state is one of <see cref="OrderTransition.From"/>, applies the new state, saga step and an outbox
    /// event atomically. Otherwise changes nothing. Either way returns the order as it now is (null when unknown).
    /// </summary>
    Task<TransitionResult> TransitionAsync(OrderTransition transition, CancellationToken cancellationToken);

    Task<SagaRecord?> GetSagaAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>Sagas still <see cref="SagaStep.Reserving"/> that started before <paramref name="startedBefore"/> (interrupted).</summary>
    Task<IReadOnlyList<SagaRecord>> FindStalledSagasAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Sagas in <see cref="SagaStep.Releasing"/> whose next attempt is due at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<SagaRecord>> FindDueCompensationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Marks a <see cref="SagaStep.Releasing"/> saga <see cref="SagaStep.Released"/>; no-op in any other step.</summary>
    Task CompleteCompensationAsync(string orderId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Counts a failed release attempt of a <see cref="SagaStep.Releasing"/> saga and sets when to try again.</summary>
    Task RescheduleCompensationAsync(string orderId, DateTimeOffset nextAttemptAt, string error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Outbox events after <paramref name="afterSequence"/> in sequence order, optionally of one user.</summary>
    Task<IReadOnlyList<OrderEvent>> ReadEventsAsync(long afterSequence, string? userId, int limit, CancellationToken cancellationToken);
}

/// <summary>Keyset position in a user's newest-first order list: the last order of the previous page.</summary>
public readonly record struct OrderCursor(DateTimeOffset CreateTime, string OrderId);

public sealed record CreateResult(OrderRecord Order, bool Created);

/// <summary>A compare-and-set state change of one order, its saga step and outbox event.</summary>
public sealed record OrderTransition(
    string OrderId,
    IReadOnlyCollection<OrderState> From,
    OrderState To,
    string Reason,
    SagaStep Step,
    DateTimeOffset At,
    DateTimeOffset? NextAttemptAt = null,
    string? LastError = null);

public sealed record TransitionResult(OrderRecord? Order, bool Applied);

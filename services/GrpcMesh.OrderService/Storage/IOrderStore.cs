using GrpcMesh.OrderService.Domain;
using GrpcMesh.Storage;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// Orders, their saga records and the order_events outbox. Every method that changes an order writes the
/// order, its saga step and one outbox event in one transaction. Implementations: <see cref="SqliteOrderStore"/>
/// (embedded default, one process) and <see cref="PostgresOrderStore"/> (several replicas on one database). Both signal
/// <see cref="OrderEventSignal"/> after committing an event. A database that cannot be reached surfaces as
/// <see cref="StoreUnavailableException"/>.
/// </summary>
public interface IOrderStore : IMigratedStore
{
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

    /// <summary>
    /// Claims sagas in <see cref="SagaStep.Releasing"/> whose next attempt is due at <paramref name="now"/>: in the same
    /// statement their next attempt moves to <paramref name="leaseUntil"/>, so another replica's sweeper skips them while
    /// this one works on them (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claims never wait or overlap).
    /// The claimer records the outcome (<see cref="CompleteCompensationAsync"/> / <see cref="RescheduleCompensationAsync"/>);
    /// if it dies first, the lease runs out and the saga is due again.
    /// </summary>
    Task<IReadOnlyList<SagaRecord>> ClaimDueCompensationsAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken);

    /// <summary>Marks a <see cref="SagaStep.Releasing"/> saga <see cref="SagaStep.Released"/>; no-op in any other step.</summary>
    Task CompleteCompensationAsync(string orderId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Counts a failed release attempt of a <see cref="SagaStep.Releasing"/> saga and sets when to try again.</summary>
    Task RescheduleCompensationAsync(string orderId, DateTimeOffset nextAttemptAt, string error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Outbox events with <paramref name="afterSequence"/> &lt; sequence &lt;= <paramref name="throughSequence"/> in sequence
    /// order, optionally of one user.
    /// </summary>
    Task<IReadOnlyList<OrderEvent>> ReadEventsAsync(
        long afterSequence, long throughSequence, string? userId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// All users' events after <paramref name="afterSequence"/> (at most <paramref name="limit"/>, in sequence order) read in one
    /// snapshot together with that snapshot's transaction horizon, for <see cref="Events.OrderEventHub"/>'s gap handling.
    /// </summary>
    Task<EventLogPage> ReadEventLogAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// A transaction id above that of every transaction that has started writing so far (PostgreSQL: a fresh
    /// <c>pg_current_xact_id()</c>, which consumes one id); 0 for SQLite. Once a snapshot's
    /// <see cref="EventLogPage.OldestRunning"/> reaches it, all those writers have finished.
    /// </summary>
    Task<ulong> GetWriterBoundAsync(CancellationToken cancellationToken);

    /// <summary>A cheap round trip proving the store answers (readiness probe). Throws when it does not.</summary>
    Task PingAsync(CancellationToken cancellationToken);
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

/// <summary>
/// Outbox rows seen by one snapshot, with that snapshot's <see cref="OldestRunning"/> transaction id: every transaction
/// with a smaller id had finished (committed or rolled back) when the snapshot was taken. 0 for a store whose writers
/// commit in sequence order (SQLite).
/// </summary>
/// <param name="MaxSequence">The highest sequence visible in the snapshot (0 when the outbox is empty).</param>
public sealed record EventLogPage(IReadOnlyList<OrderEvent> Events, long MaxSequence, ulong OldestRunning);

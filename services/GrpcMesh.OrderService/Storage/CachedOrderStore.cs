using GrpcMesh.OrderService.Domain;
using GrpcMesh.Storage;
using GrpcMesh.Storage.Caching;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// GetOrder from <see cref="ReadCache{TValue}"/>, everything else from the store. An order row changes only in
/// <see cref="IOrderStore.TransitionAsync"/> (it is created once and never deleted), which drops the order once it
/// returned (committed) or failed (it may have committed); a new order is in no cache, and not-found is never cached.
/// Other replicas' transitions arrive through <see cref="Events.PostgresEventListener"/>.
/// </summary>
public sealed class CachedOrderStore(IOrderStore store, ReadCache<OrderRecord> cache) : IOrderStore, IDisposable
{
    private readonly Func<string, CancellationToken, Task<OrderRecord?>> _load = store.GetAsync;

    public Task<SchemaMigration> MigrateAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public async Task<OrderRecord?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        await cache.GetOrLoadAsync(orderId, _load, cancellationToken);

    public Task<OrderRecord?> FindByRequestIdAsync(string requestId, CancellationToken cancellationToken) =>
        store.FindByRequestIdAsync(requestId, cancellationToken);

    public Task<IReadOnlyList<OrderRecord>> ListByUserAsync(string userId, OrderCursor? after, int limit, CancellationToken cancellationToken) =>
        store.ListByUserAsync(userId, after, limit, cancellationToken);

    public Task<CreateResult> CreateAsync(OrderRecord order, CancellationToken cancellationToken) => store.CreateAsync(order, cancellationToken);

    public async Task<TransitionResult> TransitionAsync(OrderTransition transition, CancellationToken cancellationToken)
    {
        try
        {
            return await store.TransitionAsync(transition, cancellationToken);
        }
        finally
        {
            cache.Invalidate(transition.OrderId);
        }
    }

    public Task<SagaRecord?> GetSagaAsync(string orderId, CancellationToken cancellationToken) => store.GetSagaAsync(orderId, cancellationToken);

    public Task<IReadOnlyList<SagaRecord>> FindStalledSagasAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken) =>
        store.FindStalledSagasAsync(startedBefore, limit, cancellationToken);

    public Task<IReadOnlyList<SagaRecord>> ClaimDueCompensationsAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken) =>
        store.ClaimDueCompensationsAsync(now, leaseUntil, limit, cancellationToken);

    public Task CompleteCompensationAsync(string orderId, DateTimeOffset at, CancellationToken cancellationToken) =>
        store.CompleteCompensationAsync(orderId, at, cancellationToken);

    public Task RescheduleCompensationAsync(string orderId, DateTimeOffset nextAttemptAt, string error, DateTimeOffset at, CancellationToken cancellationToken) =>
        store.RescheduleCompensationAsync(orderId, nextAttemptAt, error, at, cancellationToken);

    public Task<IReadOnlyList<OrderEvent>> ReadEventsAsync(long afterSequence, long throughSequence, string? userId, int limit, CancellationToken cancellationToken) =>
        store.ReadEventsAsync(afterSequence, throughSequence, userId, limit, cancellationToken);

    public Task<EventLogPage> ReadEventLogAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        store.ReadEventLogAsync(afterSequence, limit, cancellationToken);

    public Task<ulong> GetWriterBoundAsync(CancellationToken cancellationToken) => store.GetWriterBoundAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => store.PingAsync(cancellationToken);

    /// <summary>The host disposes what it registered, this decorator: pass it on to the store.</summary>
    public void Dispose() => (store as IDisposable)?.Dispose();
}

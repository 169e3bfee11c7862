using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.Storage;
using GrpcMesh.Storage.Caching;

namespace GrpcMesh.OrderService.Events;

/// <summary>
/// PostgreSQL only (see <see cref="PostgresNotificationService{THandler}"/>): LISTENs on the channel the stores NOTIFY inside each
/// event-writing transaction (delivered at commit), with the order id. It wakes this process's <see cref="OrderEventHub"/>,
/// so watchers see events written through other replicas without waiting for the poll interval (a lost notification only
/// delays delivery until the next poll), and drops the order from this replica's read cache, which serves only while
/// LISTEN is in place.
/// </summary>
public sealed class PostgresEventListener(OrderEventSignal signal, ReadCache<OrderRecord> cache) : IPostgresChannelHandler
{
    public string Channel => PostgresOrderSchema.EventChannel;

    public void OnListening()
    {
        cache.Resume();
        signal.Notify(); // anything committed while not listening
    }

    public void OnNotification(string payload)
    {
        cache.Invalidate(payload);
        signal.Notify();
    }

    /// <summary>The hub's poll keeps delivering events, later; the cache cannot hear of changes, so it stops serving.</summary>
    public void OnLost() => cache.Suspend();
}

using GrpcMesh.Storage;
using GrpcMesh.Storage.Caching;
using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// PostgreSQL only: keeps this replica's user cache coherent with writes made through other replicas. The schema's
/// triggers NOTIFY <see cref="PostgresUserSchema.ChangeChannel"/> with the user id in every transaction that changes a
/// user or a reservation (delivered at commit); each notification drops that user here. The cache serves only while
/// LISTEN is in place: it starts suspended and is suspended again (and emptied) whenever the connection is lost.
/// </summary>
public sealed class UserChangeListener(ReadCache<UserAccount> cache) : IPostgresChannelHandler
{
    public string Channel => PostgresUserSchema.ChangeChannel;

    public void OnListening() => cache.Resume();

    public void OnNotification(string payload) => cache.Invalidate(payload);

    public void OnLost() => cache.Suspend();
}

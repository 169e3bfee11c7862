using GrpcMesh.Storage;
using GrpcMesh.Storage.Caching;
using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// GetUser from <see cref="ReadCache{TValue}"/>, everything else from the store. Each write drops the user it touched
/// once it returned (committed) or failed (it may have committed). Credit decisions (ReserveCredit, ReleaseCredit) run in the store's transaction on the locked row,
/// never on a cached user; only what they change is dropped here.
/// </summary>
public sealed class CachedUserStore(IUserStore store, ReadCache<UserAccount> cache) : IUserStore, IDisposable
{
    private readonly Func<string, CancellationToken, Task<UserAccount?>> _load = store.GetUserAsync;

    public Task<SchemaMigration> MigrateAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public async Task<UserAccount?> GetUserAsync(string userId, CancellationToken cancellationToken) =>
        await cache.GetOrLoadAsync(userId, _load, cancellationToken);

    public Task<UserPage> ListUsersAsync(UserListQuery query, CancellationToken cancellationToken) => store.ListUsersAsync(query, cancellationToken);

    public Task<CreateUserResult> CreateUserAsync(NewUserAccount user, CancellationToken cancellationToken) =>
        store.CreateUserAsync(user, cancellationToken); // a new id is in no cache; not-found is never cached

    public Task<UserAccount> UpdateUserAsync(string userId, UserAccountUpdate update, CancellationToken cancellationToken) =>
        ChangingAsync(userId, () => store.UpdateUserAsync(userId, update, cancellationToken));

    public Task<UserAccount> DeleteUserAsync(string userId, CancellationToken cancellationToken) =>
        ChangingAsync(userId, () => store.DeleteUserAsync(userId, cancellationToken));

    public Task<CreditReservationResult> ReserveCreditAsync(CreditReservationRequest request, CancellationToken cancellationToken) =>
        ChangingAsync(request.UserId, () => store.ReserveCreditAsync(request, cancellationToken));

    public async Task<CreditReservationResult> ReleaseCreditAsync(string reservationId, CancellationToken cancellationToken)
    {
        try
        {
            var result = await store.ReleaseCreditAsync(reservationId, cancellationToken);
            cache.Invalidate(result.Reservation.UserId);
            return result;
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            cache.InvalidateAll(); // whose credit it was is not known here
            throw;
        }
    }

    public Task PingAsync(CancellationToken cancellationToken) => store.PingAsync(cancellationToken);

    /// <summary>The host disposes what it registered, this decorator: pass it on to the store (the SQLite reader pool).</summary>
    public void Dispose() => (store as IDisposable)?.Dispose();

    private async Task<T> ChangingAsync<T>(string userId, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        finally
        {
            cache.Invalidate(userId);
        }
    }
}

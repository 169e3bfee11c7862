namespace GrpcMesh.UserService.Tests.Support;

/// <summary>One test's store (a SQLite data directory or a PostgreSQL database); disposing deletes it.</summary>
public sealed class TestStore(IReadOnlyDictionary<string, string?> settings, Func<ValueTask> delete) : IAsyncDisposable
{
    /// <summary>The <c>Storage:*</c> settings that point a UserService host at this store.</summary>
    public IReadOnlyDictionary<string, string?> Settings => settings;

    /// <summary>A UserService host on this store; several hosts on one store are replicas of one service.</summary>
    public GrpcTestHost<UserServiceMarker> CreateHost(TimeProvider? timeProvider = null) =>
        UserServiceHosts.Create(settings: settings, timeProvider: timeProvider);

    public ValueTask DisposeAsync() => delete();
}

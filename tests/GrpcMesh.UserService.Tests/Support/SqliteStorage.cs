namespace GrpcMesh.UserService.Tests.Support;

/// <summary>Each store is a fresh temp data directory (users.db is created in it on start).</summary>
public sealed class SqliteStorage : IStorageUnderTest
{
    public Task<TestStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var directory = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = directory.Path,
        };
        return Task.FromResult(new TestStore(settings, () =>
        {
            directory.Dispose();
            return ValueTask.CompletedTask;
        }));
    }
}

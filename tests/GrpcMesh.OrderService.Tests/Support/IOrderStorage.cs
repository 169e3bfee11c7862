using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.OrderService.Tests.Support;

/// <summary>A storage provider the OrderService contract suite runs against; makes a fresh, empty store per test.</summary>
public interface IOrderStorage
{
    Task<OrderTestStore> CreateStoreAsync(CancellationToken cancellationToken);
}

/// <summary>One test's store (a SQLite data directory or a PostgreSQL database); disposing deletes it.</summary>
/// <param name="settings">The <c>Storage:*</c> settings pointing an OrderService host at this store (replicas share them).</param>
/// <param name="postgres">The database, for PostgreSQL stores (raw SQL in tests); null for SQLite.</param>
public sealed class OrderTestStore(IReadOnlyDictionary<string, string?> settings, PostgresDatabase? postgres, Func<ValueTask> delete) : IAsyncDisposable
{
    public IReadOnlyDictionary<string, string?> Settings => settings;

    public PostgresDatabase? Postgres => postgres;

    public ValueTask DisposeAsync() => delete();
}

/// <summary>Each store is a fresh temp data directory (orders.db is created in it on start).</summary>
public sealed class SqliteOrderStorage : IOrderStorage
{
    public Task<OrderTestStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var directory = new TempDirectory("grpcmesh-orders");
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = directory.Path,
        };
        return Task.FromResult(new OrderTestStore(settings, null, () =>
        {
            directory.Dispose();
            return ValueTask.CompletedTask;
        }));
    }
}

/// <summary>Each store is a fresh database on the assembly's throwaway PostgreSQL cluster.</summary>
public sealed class PostgresOrderStorage(PostgresFixture postgres) : IOrderStorage
{
    public async Task<OrderTestStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var database = await postgres.CreateDatabaseAsync(cancellationToken);
        return new OrderTestStore(database.StorageSettings, database, database.DisposeAsync);
    }
}

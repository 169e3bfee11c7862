using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.UserService.Tests.Support;

/// <summary>Each store is a fresh database on the assembly's throwaway PostgreSQL cluster.</summary>
public sealed class PostgresStorage(PostgresFixture postgres) : IStorageUnderTest
{
    public async Task<TestStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var database = await postgres.CreateDatabaseAsync(cancellationToken);
        return new TestStore(database.StorageSettings, database.DisposeAsync);
    }
}

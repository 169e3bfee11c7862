using Xunit;

namespace GrpcMesh.Testing.Postgres;

/// <summary>
/// One throwaway <see cref="PostgresServer"/> per test assembly. Register it with
/// <c>[assembly: AssemblyFixture(typeof(PostgresFixture))]</c> and take it as a test-class constructor parameter; each test
/// then calls <see cref="CreateDatabaseAsync"/> for its own database, so tests run in parallel. The cluster starts on
/// first use (tests that never use PostgreSQL neither wait for it nor fail when it is not installed) and is stopped and
/// deleted when the assembly's tests are done. When PostgreSQL is missing every test that asks for a database fails with
/// the reason and <see cref="PostgresBinaries.InstallHint"/>; none is skipped.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly Lazy<Task<PostgresServer>> _server = new(PostgresServer.StartAsync);

    /// <summary>The running cluster (started on the first call).</summary>
    public Task<PostgresServer> GetServerAsync() => _server.Value;

    public async Task<PostgresDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var server = await GetServerAsync().ConfigureAwait(false);
        return await server.CreateDatabaseAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_server.IsValueCreated && await Task.WhenAny(_server.Value).ConfigureAwait(false) is { IsCompletedSuccessfully: true } started)
        {
            await (await started.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }
}

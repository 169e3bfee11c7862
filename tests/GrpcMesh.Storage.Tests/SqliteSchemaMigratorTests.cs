using GrpcMesh.Testing;
using Microsoft.Data.Sqlite;

namespace GrpcMesh.Storage.Tests;

public sealed class SqliteSchemaMigratorTests : IDisposable
{
    private static readonly string[] Migrations =
    [
        "CREATE TABLE a (id TEXT PRIMARY KEY);",
        "CREATE TABLE b (id TEXT PRIMARY KEY);",
    ];

    private readonly TempDirectory _dir = new("grpcmesh-migrator");
    private readonly SqliteConnectionFactory _connections;

    public SqliteSchemaMigratorTests() =>
        _connections = new SqliteConnectionFactory(Path.Combine(_dir.Path, "test.db"), TimeSpan.FromSeconds(3));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MigrateAsync_StepByStep_AppliesMissingStepsAndReturnsPreviousVersion()
    {
        Assert.Equal(0, await SqliteSchemaMigrator.MigrateAsync(_connections, Migrations, targetVersion: 1, Ct));
        Assert.Equal(1, await SqliteSchemaMigrator.MigrateAsync(_connections, Migrations, Migrations.Length, Ct));
        Assert.Equal(2, await SqliteSchemaMigrator.MigrateAsync(_connections, Migrations, Migrations.Length, Ct));

        await using var connection = await _connections.OpenAsync(Ct);
        Assert.Equal(2, await SqliteSchemaMigrator.GetVersionAsync(connection, null, Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MigrateAsync_DatabaseNewerThanBuild_ThrowsNamingTheVersion()
    {
        await using (var connection = await _connections.OpenAsync(Ct))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 7;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteSchemaMigrator.MigrateAsync(_connections, Migrations, Migrations.Length, Ct));

        Assert.Contains("schema version 7, newer than the 2 this build knows", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}

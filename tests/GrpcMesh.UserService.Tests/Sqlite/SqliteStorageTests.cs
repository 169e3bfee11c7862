using GrpcMesh.Storage;
using GrpcMesh.UserService.Storage;
using Microsoft.Data.Sqlite;

namespace GrpcMesh.UserService.Tests.Sqlite;

/// <summary>What is specific to the SQLite store: the file, WAL, <c>PRAGMA user_version</c> migrations.</summary>
public sealed class SqliteStorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_Default_DatabaseFileUnderDataDirectoryInWalMode()
    {
        using var host = UserServiceHosts.Create();
        await new UserServiceClient(host.Channel).CreateUserAsync(Requests.NewUser(), cancellationToken: Ct);

        var path = Path.Combine(host.DataDirectory, UserStorageRegistration.SqliteFileName);
        Assert.True(File.Exists(path), $"{path} should exist");
        await using var connection = await OpenAsync(path);
        Assert.Equal("wal", await ScalarAsync<string>(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM users;"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Restart_SchemaAlreadyCurrent_MigrationIsNoOp()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, UserStorageRegistration.SqliteFileName);
        string schemaBefore;
        using (var first = UserServiceHosts.Create(directory.Path))
        {
            await new UserServiceClient(first.Channel).CreateUserAsync(Requests.NewUser(), cancellationToken: Ct);
            await using var connection = await OpenAsync(path);
            schemaBefore = await SchemaAsync(connection);
        }

        for (var restart = 0; restart < 2; restart++)
        {
            using var host = UserServiceHosts.Create(directory.Path);
            var page = await new UserServiceClient(host.Channel).ListUsersAsync(new ListUsersRequest(), cancellationToken: Ct);
            Assert.Single(page.Users);
        }

        await using var after = await OpenAsync(path);
        Assert.Equal(SqliteUserSchema.LatestVersion, await ScalarAsync<long>(after, "PRAGMA user_version;"));
        Assert.Equal(schemaBefore, await SchemaAsync(after));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_OlderSchemaVersion_MigratesKeepingData()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, UserStorageRegistration.SqliteFileName);
        await SqliteUserSchema.MigrateAsync(new SqliteConnectionFactory(path, TimeSpan.FromSeconds(5)), targetVersion: 1, Ct);
        await using (var connection = await OpenAsync(path))
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO users (id, email, email_key, display_name, credit_currency, credit_limit_cents, status, version,
                                   create_time_us, update_time_us)
                VALUES ('usr_legacy', 'Old@example.com', 'old@example.com', 'Old', 'USD', 5000, 'ACTIVE', 1, 0, 0);
                """;
            await insert.ExecuteNonQueryAsync(Ct);
        }

        using var host = UserServiceHosts.Create(directory.Path);
        var client = new UserServiceClient(host.Channel);
        var reserved = await client.ReserveCreditAsync(Requests.Reserve("usr_legacy", Requests.Usd(20)), cancellationToken: Ct);

        Assert.Equal(Requests.Usd(30), reserved.AvailableCredit);
        await using var after = await OpenAsync(path);
        Assert.Equal(SqliteUserSchema.LatestVersion, await ScalarAsync<long>(after, "PRAGMA user_version;"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_NewerSchemaVersion_FailsWithClearMessage()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, UserStorageRegistration.SqliteFileName);
        await using (var connection = await OpenAsync(path))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        using var host = UserServiceHosts.Create(directory.Path);

        var ex = Assert.ThrowsAny<Exception>(() => host.Server);
        Assert.Contains("schema version 99", ex.ToString(), StringComparison.Ordinal);
    }

    private static async Task<SqliteConnection> OpenAsync(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task<T> ScalarAsync<T>(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<string> SchemaAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name;";
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}

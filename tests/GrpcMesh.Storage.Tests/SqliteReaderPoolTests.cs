using GrpcMesh.Testing;
using Microsoft.Data.Sqlite;

namespace GrpcMesh.Storage.Tests;

public sealed class SqliteReaderPoolTests : IDisposable
{
    private readonly TempDirectory _dir = new("grpcmesh-readers");
    private readonly SqliteConnectionFactory _connections;

    public SqliteReaderPoolTests()
    {
        _connections = new SqliteConnectionFactory(Path.Combine(_dir.Path, "test.db"), TimeSpan.FromSeconds(3));
        using var connection = _connections.OpenAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL)";
        create.ExecuteNonQuery();
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task RentAsync_AfterReturn_ReusesConnectionAndPreparedCommand()
    {
        using var pool = new SqliteReaderPool(_connections, maxIdle: 2);

        SqliteConnection firstConnection;
        SqliteCommand firstCommand;
        using (var reader = await pool.RentAsync(TestContext.Current.CancellationToken))
        {
            firstConnection = reader.Connection;
            firstCommand = reader.Command("SELECT name FROM items WHERE id = $id");
        }

        using var again = await pool.RentAsync(TestContext.Current.CancellationToken);

        Assert.Same(firstConnection, again.Connection);
        Assert.Same(firstCommand, again.Command("SELECT name FROM items WHERE id = $id"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Command_WriteCommittedAfterPrepare_IsSeenByTheNextRun()
    {
        using var pool = new SqliteReaderPool(_connections, maxIdle: 2);
        Assert.Null(await NameAsync(pool, "a"));

        await InsertAsync("a", "first");
        Assert.Equal("first", await NameAsync(pool, "a"));

        await UpdateAsync("a", "second");
        Assert.Equal("second", await NameAsync(pool, "a"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Return_MoreThanMaxIdle_ClosesTheSurplusConnection()
    {
        using var pool = new SqliteReaderPool(_connections, maxIdle: 1);
        var first = await pool.RentAsync(TestContext.Current.CancellationToken);
        var second = await pool.RentAsync(TestContext.Current.CancellationToken);

        first.Dispose();
        second.Dispose();

        Assert.Equal(System.Data.ConnectionState.Open, first.Connection.State);
        Assert.Equal(System.Data.ConnectionState.Closed, second.Connection.State);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Discard_ThenDispose_ClosesInsteadOfPooling()
    {
        using var pool = new SqliteReaderPool(_connections, maxIdle: 2);
        var reader = await pool.RentAsync(TestContext.Current.CancellationToken);
        var connection = reader.Connection;

        reader.Discard();
        reader.Dispose();
        using var next = await pool.RentAsync(TestContext.Current.CancellationToken);

        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
        Assert.NotSame(connection, next.Connection);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Dispose_ClosesIdleReadersAndRefusesRents()
    {
        var pool = new SqliteReaderPool(_connections, maxIdle: 2);
        var reader = await pool.RentAsync(TestContext.Current.CancellationToken);
        var connection = reader.Connection;
        reader.Dispose();

        pool.Dispose();

        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.RentAsync(TestContext.Current.CancellationToken).AsTask());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task OpenAsync_ReusedPooledConnection_KeepsBusyTimeoutAndSynchronousSettings()
    {
        for (var i = 0; i < 3; i++)
        {
            await using var connection = await _connections.OpenAsync(TestContext.Current.CancellationToken);
            Assert.Equal(3000L, Scalar(connection, "PRAGMA busy_timeout"));
            Assert.Equal(1L, Scalar(connection, "PRAGMA synchronous")); // NORMAL
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private static async Task<string?> NameAsync(SqliteReaderPool pool, string id)
    {
        using var reader = await pool.RentAsync(TestContext.Current.CancellationToken);
        var command = reader.Command("SELECT name FROM items WHERE id = $id");
        command.Parameters.AddWithValue("$id", id);
        await using var rows = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        return await rows.ReadAsync(TestContext.Current.CancellationToken) ? rows.GetString(0) : null;
    }

    private Task InsertAsync(string id, string name) => WriteAsync("INSERT INTO items (id, name) VALUES ($id, $name)", id, name);

    private Task UpdateAsync(string id, string name) => WriteAsync("UPDATE items SET name = $name WHERE id = $id", id, name);

    private async Task WriteAsync(string sql, string id, string name)
    {
        await using var connection = await _connections.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$name", name);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}

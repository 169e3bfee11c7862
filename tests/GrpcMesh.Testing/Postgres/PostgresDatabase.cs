using Npgsql;

namespace GrpcMesh.Testing.Postgres;

/// <summary>One fresh database on a <see cref="PostgresServer"/>, for one test; dropped (connections and all) on dispose.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly PostgresServer _server;
    private readonly Lazy<NpgsqlDataSource> _dataSource;

    internal PostgresDatabase(PostgresServer server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
        _dataSource = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(connectionString));
    }

    public string Name { get; }

    /// <summary>TCP connection string (127.0.0.1, superuser with password) — what a service's <c>Storage:ConnectionString</c> gets.</summary>
    public string ConnectionString { get; }

    /// <summary>Settings that point a service host at this database: <c>Storage:Provider=Postgres</c> and the connection string.</summary>
    public IReadOnlyDictionary<string, string?> StorageSettings => new Dictionary<string, string?>
    {
        ["Storage:Provider"] = "Postgres",
        ["Storage:ConnectionString"] = ConnectionString,
    };

    /// <summary>For the test's own queries (inspecting or seeding tables); pooled, closed on dispose.</summary>
    public NpgsqlDataSource DataSource => _dataSource.Value;

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
        }

        await _server.DropDatabaseAsync(Name).ConfigureAwait(false);
    }
}

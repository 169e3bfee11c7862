using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace GrpcMesh.Storage;

/// <summary>
/// Opens pooled connections to one SQLite file in WAL mode with a busy timeout and foreign keys on.
/// Use <c>BeginTransaction()</c> (BEGIN IMMEDIATE) for read-modify-write work so two writers never
/// deadlock upgrading a read lock.
/// </summary>
public sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly ConditionalWeakTable<sqlite3, object> _configured = [];

    public SqliteConnectionFactory(string databasePath, TimeSpan busyTimeout)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        DatabasePath = databasePath;
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)busyTimeout.TotalSeconds),
        }.ToString();

        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
    }

    public string DatabasePath { get; }

    /// <summary>Resolves <c>{DataDirectory}/{fileName}</c> against the content root.</summary>
    public static SqliteConnectionFactory ForDataDirectory(StorageOptions options, string contentRoot, string fileName) =>
        new(Path.Combine(Path.GetFullPath(options.DataDirectory, contentRoot), fileName), options.BusyTimeout);

    public async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        // The settings belong to the physical connection, which the pool hands out again and again: compiling and
        // running the PRAGMAs on every open cost about as much as the open itself (bench/GrpcMesh.Benchmarks).
        var handle = connection.Handle!;
        if (!_configured.TryGetValue(handle, out _))
        {
            Execute(connection, $"PRAGMA busy_timeout={_busyTimeoutMs}; PRAGMA synchronous=NORMAL;");
            _configured.AddOrUpdate(handle, handle);
        }

        return connection;
    }

    /// <summary>Opens a connection and reads the schema: proves the file is there and readable.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master;";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

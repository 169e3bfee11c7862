using BenchmarkDotNet.Attributes;
using GrpcMesh.Domain;
using GrpcMesh.User.V1;
using GrpcMesh.UserService.Domain;
using GrpcMesh.UserService.Grpc;
using GrpcMesh.UserService.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using ConnectionFactory = GrpcMesh.Storage.SqliteConnectionFactory;

namespace GrpcMesh.Benchmarks.Server;

/// <summary>
/// UserService's GetUser below the network, layer by layer, on a real SQLite file (WAL): opening a pooled
/// connection (as <see cref="ConnectionFactory"/> does, and without its per-open PRAGMAs), the store read,
/// and the whole handler (validation + read + proto mapping). Shows where a full-stack call's server time goes.
/// </summary>
[MemoryDiagnoser]
public class UserGetPathBenchmarks
{
    // The store's GetUser statement (SqliteUserStore.SelectUser + " WHERE u.id = $id"), for the statement-level rows.
    private const string GetUserSql = """
        SELECT u.id, u.email, u.display_name, u.credit_currency, u.credit_limit_cents, u.status, u.version,
               u.create_time_us, u.update_time_us,
               (SELECT COALESCE(SUM(r.amount_cents), 0) FROM credit_reservations r
                 WHERE r.user_id = u.id AND r.status = 'RESERVED') AS reserved_cents
        FROM users u WHERE u.id = $id
        """;

    private string _dir = null!;
    private SqliteConnection _heldOpen = null!;
    private SqliteCommand _prepared = null!;
    private ConnectionFactory _connections = null!;
    private SqliteUserStore _store = null!;
    private UserGrpcService _service = null!;
    private string _plainConnectionString = null!;
    private GetUserRequest _request = null!;
    private FakeServerCallContext _context = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dir = Directory.CreateTempSubdirectory("grpcmesh-bench-sqlite-").FullName;
        var path = Path.Combine(_dir, "users.db");
        _connections = new ConnectionFactory(path, TimeSpan.FromSeconds(5));
        _plainConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, ForeignKeys = true }.ToString();
        _store = new SqliteUserStore(_connections, TimeProvider.System);
        await _store.MigrateAsync(CancellationToken.None);
        var ids = new UserIdGenerator(TimeProvider.System);
        string? id = null;
        for (var i = 0; i < 200; i++)
        {
            var created = await _store.CreateUserAsync(
                new NewUserAccount(ids.NewId(), $"user{i}@example.com", $"User {i}", new Money("USD", 100_000), null), CancellationToken.None);
            id ??= created.User.Id;
        }

        _request = new GetUserRequest { UserId = id! };
        _service = new UserGrpcService(_store, ids, NullLogger<UserGrpcService>.Instance);
        _context = new FakeServerCallContext("/grpcmesh.user.v1.UserService/GetUser", DateTime.MaxValue, CancellationToken.None);
        _heldOpen = await _connections.OpenAsync(CancellationToken.None);
        _prepared = _heldOpen.CreateCommand();
        _prepared.CommandText = GetUserSql;
        _prepared.Parameters.AddWithValue("$id", _request.UserId);
        _prepared.Prepare();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _prepared.Dispose();
        _heldOpen.Dispose();
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public async Task OpenPooledConnection_NoPragmas()
    {
        await using var connection = new SqliteConnection(_plainConnectionString);
        await connection.OpenAsync();
    }

    [Benchmark]
    public async Task OpenPooledConnection_Factory()
    {
        await using var connection = await _connections.OpenAsync(CancellationToken.None);
    }

    [Benchmark]
    public async Task<long> Statement_NewCommandEachCall_OpenConnection()
    {
        await using var command = _heldOpen.CreateCommand();
        command.CommandText = GetUserSql;
        command.Parameters.AddWithValue("$id", _request.UserId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? reader.GetInt64(6) : -1;
    }

    [Benchmark]
    public async Task<long> Statement_PreparedOnce_OpenConnection()
    {
        _prepared.Parameters[0].Value = _request.UserId;
        await using var reader = await _prepared.ExecuteReaderAsync();
        return await reader.ReadAsync() ? reader.GetInt64(6) : -1;
    }

    [Benchmark]
    public Task<UserAccount?> Store_GetUser() => _store.GetUserAsync(_request.UserId, CancellationToken.None);

    [Benchmark]
    public Task<GetUserResponse> Handler_GetUser() => _service.GetUser(_request, _context);
}

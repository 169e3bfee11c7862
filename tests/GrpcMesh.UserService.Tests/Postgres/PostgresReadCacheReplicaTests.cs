using System.Diagnostics;
using GrpcMesh.Storage.Caching;
using GrpcMesh.Testing.Postgres;
using GrpcMesh.UserService.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.UserService.Tests.Postgres;

/// <summary>
/// Two replicas on one database, each with its read cache: a write through A reaches B's cache through the schema's
/// NOTIFY triggers and B's LISTEN connection. The documented bound is "at A's commit plus the notification's trip"
/// (milliseconds); the tests allow <see cref="CoherenceBound"/> so a loaded machine does not fail them.
/// </summary>
public sealed class PostgresReadCacheReplicaTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan CoherenceBound = TimeSpan.FromSeconds(5);

    private PostgresDatabase? _database;
    private GrpcTestHost<UserServiceMarker>? _a;
    private GrpcTestHost<UserServiceMarker>? _b;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresDatabase Database => _database!;

    private UserServiceClient A => new(_a!.Channel);

    private UserServiceClient B => new(_b!.Channel);

    private ReadCache<UserAccount> CacheOfB => _b!.Services.GetRequiredService<ReadCache<UserAccount>>();

    public async ValueTask InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync(Ct);
        _a = UserServiceHosts.Create(settings: _database.StorageSettings);
        _b = UserServiceHosts.Create(settings: _database.StorageSettings);
        await Eventually.WaitAsync(() => CacheOfB.IsServing, "replica B's cache to serve (its LISTEN in place)");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateOnA_CachedOnB_BShowsItWithinTheBound()
    {
        var user = (await A.CreateUserAsync(Requests.NewUser(), cancellationToken: Ct)).User;
        await ReadOnBAsync(user.Id);
        await ReadOnBAsync(user.Id);
        Assert.True(CacheOfB.Count > 0, "B should have cached the user");

        var clock = Stopwatch.StartNew();
        var updated = (await A.UpdateUserAsync(Requests.Update(new ProtoUser { Id = user.Id, DisplayName = "Renamed on A" }, "display_name"), cancellationToken: Ct)).User;
        await Eventually.WaitAsync(async () => (await ReadOnBAsync(user.Id)).Equals(updated), "B to show A's update", CoherenceBound);

        TestContext.Current.SendDiagnosticMessage($"A's update visible on B after {clock.Elapsed.TotalMilliseconds:F1} ms");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveOnB_LimitJustLoweredOnA_DecidedOnTheStoredLimitNotTheCachedOne()
    {
        var user = (await A.CreateUserAsync(Requests.NewUser(creditLimit: Requests.Usd(100)), cancellationToken: Ct)).User;
        Assert.Equal(Requests.Usd(100), (await ReadOnBAsync(user.Id)).CreditLimit);

        await A.UpdateUserAsync(Requests.Update(new ProtoUser { Id = user.Id, CreditLimit = Requests.Usd(50) }, "credit_limit"), cancellationToken: Ct);
        var refused = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => B.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(60)), cancellationToken: Ct).ResponseAsync);
        var granted = await B.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(50)), cancellationToken: Ct);

        Assert.Contains("credit", refused.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Requests.Usd(0), granted.AvailableCredit);
        Assert.Equal(Requests.Usd(0), (await ReadOnBAsync(user.Id)).AvailableCredit);
        await Eventually.WaitAsync(async () => (await A.GetUserAsync(new GetUserRequest { UserId = user.Id }, cancellationToken: Ct)).User.AvailableCredit.Equals(Requests.Usd(0)),
            "A to show B's reservation", CoherenceBound);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListenConnectionLost_BStopsServingFromMemoryUntilListeningAgain_NoStaleRead()
    {
        var user = (await A.CreateUserAsync(Requests.NewUser(), cancellationToken: Ct)).User;
        await ReadOnBAsync(user.Id);

        await ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%(LISTEN grpcmesh_user_changed)'");
        await Eventually.WaitAsync(() => !CacheOfB.IsServing, "B to notice its LISTEN connection is gone", CoherenceBound);

        var whileDown = (await A.UpdateUserAsync(Requests.Update(new ProtoUser { Id = user.Id, DisplayName = "While B was not listening" }, "display_name"), cancellationToken: Ct)).User;
        Assert.Equal(whileDown, await ReadOnBAsync(user.Id));

        await Eventually.WaitAsync(() => CacheOfB.IsServing, "B to listen again", TimeSpan.FromSeconds(30));
        Assert.Equal(whileDown, await ReadOnBAsync(user.Id));
        var afterwards = (await A.UpdateUserAsync(Requests.Update(new ProtoUser { Id = user.Id, DisplayName = "After B reconnected" }, "display_name"), cancellationToken: Ct)).User;
        await Eventually.WaitAsync(async () => (await ReadOnBAsync(user.Id)).Equals(afterwards), "B to show the update made after it reconnected", CoherenceBound);
    }

    private async Task<ProtoUser> ReadOnBAsync(string userId) =>
        (await B.GetUserAsync(new GetUserRequest { UserId = userId }, cancellationToken: Ct)).User;

    private async Task ExecuteAsync(string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _a?.Dispose();
        _b?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

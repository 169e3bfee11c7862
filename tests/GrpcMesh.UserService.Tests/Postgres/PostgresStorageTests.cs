using GrpcMesh.Testing.Postgres;
using GrpcMesh.UserService.Storage;
using Npgsql;

namespace GrpcMesh.UserService.Tests.Postgres;

/// <summary>What is specific to the PostgreSQL store: schema_version migrations, database constraints, connection loss.</summary>
public sealed class PostgresStorageTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_EmptyDatabase_CreatesTablesAndRecordsSchemaVersion()
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        using var host = UserServiceHosts.Create(settings: database.StorageSettings);

        await new UserServiceClient(host.Channel).CreateUserAsync(Requests.NewUser(), cancellationToken: Ct);

        Assert.Equal(PostgresUserSchema.LatestVersion, await ScalarAsync<int>(database, "SELECT version FROM schema_version WHERE component = 'users'"));
        Assert.Equal(["credit_reservations", "schema_version", "users"], await ListAsync(database,
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"));
        Assert.Equal(1L, await ScalarAsync<long>(database, "SELECT count(*) FROM users"));
        Assert.Equal(UserStorageRegistration.PostgresApplicationName, await ScalarAsync<string>(database,
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name NOT LIKE '%(LISTEN %' LIMIT 1"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Restart_SchemaAlreadyCurrent_MigrationIsNoOp()
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        using (var first = UserServiceHosts.Create(settings: database.StorageSettings))
        {
            await new UserServiceClient(first.Channel).CreateUserAsync(Requests.NewUser(), cancellationToken: Ct);
        }

        var schemaBefore = await SchemaAsync(database);
        var migratedAt = await ScalarAsync<DateTime>(database, "SELECT update_time FROM schema_version WHERE component = 'users'");

        for (var restart = 0; restart < 2; restart++)
        {
            using var host = UserServiceHosts.Create(settings: database.StorageSettings);
            var page = await new UserServiceClient(host.Channel).ListUsersAsync(new ListUsersRequest(), cancellationToken: Ct);
            Assert.Single(page.Users);
        }

        Assert.Equal(schemaBefore, await SchemaAsync(database));
        Assert.Equal(migratedAt, await ScalarAsync<DateTime>(database, "SELECT update_time FROM schema_version WHERE component = 'users'"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_OlderSchemaVersion_MigratesKeepingData()
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        await PostgresUserSchema.MigrateAsync(database.DataSource, targetVersion: 1, Ct);
        await ExecuteAsync(database, """
            INSERT INTO users (id, email, email_key, display_name, credit_currency, credit_limit_cents, status, version, create_time, update_time)
            VALUES ('usr_legacy', 'Old@example.com', 'old@example.com', 'Old', 'USD', 5000, 'ACTIVE', 1, now(), now())
            """);

        using var host = UserServiceHosts.Create(settings: database.StorageSettings);
        var reserved = await new UserServiceClient(host.Channel).ReserveCreditAsync(Requests.Reserve("usr_legacy", Requests.Usd(20)), cancellationToken: Ct);

        Assert.Equal(Requests.Usd(30), reserved.AvailableCredit);
        Assert.Equal(PostgresUserSchema.LatestVersion, await ScalarAsync<int>(database, "SELECT version FROM schema_version WHERE component = 'users'"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_NewerSchemaVersion_FailsWithClearMessage()
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        await PostgresUserSchema.MigrateAsync(database.DataSource, PostgresUserSchema.LatestVersion, Ct);
        await ExecuteAsync(database, "UPDATE schema_version SET version = 99 WHERE component = 'users'");

        using var host = UserServiceHosts.Create(settings: database.StorageSettings);

        var ex = Assert.ThrowsAny<Exception>(() => host.Server);
        Assert.Contains("users schema version 99", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Schema_DuplicateLiveEmailKeyOrReservationId_RejectedByTheDatabaseItself()
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        await PostgresUserSchema.MigrateAsync(database.DataSource, PostgresUserSchema.LatestVersion, Ct);
        const string insertUser = """
            INSERT INTO users (id, email, email_key, display_name, credit_currency, credit_limit_cents, status, version, create_time, update_time)
            VALUES ($1, 'a@example.com', 'a@example.com', 'A', 'USD', 100, $2, 1, now(), now())
            """;
        await ExecuteAsync(database, insertUser, "usr_deleted", "DELETED");
        await ExecuteAsync(database, insertUser, "usr_live", "ACTIVE");
        const string insertReservation = """
            INSERT INTO credit_reservations (reservation_id, user_id, currency, amount_cents, status, create_time, update_time)
            VALUES ('res_1', $1, 'USD', 10, 'RESERVED', now(), now())
            """;
        await ExecuteAsync(database, insertReservation, "usr_live");

        var email = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(database, insertUser, "usr_second", "ACTIVE"));
        var reservation = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(database, insertReservation, "usr_deleted"));

        Assert.Equal((PostgresErrorCodes.UniqueViolation, "ux_users_live_email_key"), (email.SqlState, email.ConstraintName));
        Assert.Equal((PostgresErrorCodes.UniqueViolation, "credit_reservations_pkey"), (reservation.SqlState, reservation.ConstraintName));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_ServerClosedPooledConnections_UnavailableThenRecovers()
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        using var host = UserServiceHosts.Create(settings: database.StorageSettings);
        var client = new UserServiceClient(host.Channel);
        var user = (await client.CreateUserAsync(Requests.NewUser(creditLimit: Requests.Usd(100)), cancellationToken: Ct)).User;
        await TerminateServiceConnectionsAsync(database);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.Unavailable,
            () => client.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(10), "after_outage"), cancellationToken: Ct));
        var retried = await client.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(10), "after_outage"), cancellationToken: Ct);

        Assert.Contains("retry", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Requests.Usd(90), retried.AvailableCredit);
    }

    /// <summary>Terminates the service's idle pooled sessions and waits until the server has closed them all.</summary>
    private static async Task TerminateServiceConnectionsAsync(PostgresDatabase database)
    {
        const string sessions = "FROM pg_stat_activity WHERE datname = current_database() AND application_name = '"
            + UserStorageRegistration.PostgresApplicationName + "'";
        Assert.True(await ScalarAsync<long>(database, "SELECT count(*) " + sessions) > 0, "the service should hold a pooled connection");
        await ExecuteAsync(database, "SELECT pg_terminate_backend(pid) " + sessions);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (await ScalarAsync<long>(database, "SELECT count(*) " + sessions) > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    private static async Task<string> SchemaAsync(PostgresDatabase database) => string.Join('\n', await ListAsync(database, """
        SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(collation_name, '')
        FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL
        SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
        ORDER BY 1
        """));

    private static async Task<T> ScalarAsync<T>(PostgresDatabase database, string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<List<string>> ListAsync(PostgresDatabase database, string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task ExecuteAsync(PostgresDatabase database, string sql, params string[] parameters)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(Ct);
    }
}

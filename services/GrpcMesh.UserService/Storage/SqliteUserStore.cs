using GrpcMesh.Storage;
using GrpcMesh.UserService.Domain;
using Microsoft.Data.Sqlite;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// <see cref="IUserStore"/> on one SQLite file (WAL). Every write runs in a BEGIN IMMEDIATE transaction, so the
/// read-check-write sequence holds the database write lock throughout: concurrent writers — in this process or
/// another one — are serialized and cannot overdraw credit or both win an etag race. In-process writers also queue
/// on an async gate first, so they wait without blocking threads in SQLite's busy handler.
/// </summary>
public sealed class SqliteUserStore(SqliteConnectionFactory connections, TimeProvider timeProvider) : IUserStore, IDisposable
{
    private const string SelectUser = """
        SELECT u.id, u.email, u.display_name, u.credit_currency, u.credit_limit_cents, u.status, u.version,
               u.create_time_us, u.update_time_us,
               (SELECT COALESCE(SUM(r.amount_cents), 0) FROM credit_reservations r
                 WHERE r.user_id = u.id AND r.status = 'RESERVED') AS reserved_cents
        FROM users u
        """;

    private const string SelectReservation = """
        SELECT reservation_id, user_id, currency, amount_cents, status, create_time_us, update_time_us
        FROM credit_reservations
        """;

    private const string SelectUserById = SelectUser + " WHERE u.id = $id";

    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // GetUser is the hot read path (OrderService calls it for every order): prepared statements on open connections.
    private readonly SqliteReaderPool _readers = new(connections, maxIdle: Environment.ProcessorCount * 4);

    public string DatabasePath => connections.DatabasePath;

    public async Task<SchemaMigration> MigrateAsync(CancellationToken cancellationToken)
    {
        var before = await SqliteUserSchema.MigrateAsync(connections, SqliteUserSchema.LatestVersion, cancellationToken);
        return new SchemaMigration(connections.DatabasePath, before, SqliteUserSchema.LatestVersion);
    }

    public Task<CreateUserResult> CreateUserAsync(NewUserAccount user, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            if (user.RequestId is { } requestId)
            {
                await using var find = SqliteCommands.Create(connection, transaction,
                    "SELECT id, request_fingerprint FROM users WHERE request_id = $request_id", ("$request_id", requestId));
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    var existingId = reader.GetString(0);
                    user.EnsureReplayOf(reader.GetString(1));
                    var existing = await ReadUserAsync(connection, transaction, existingId, cancellationToken);
                    return new CreateUserResult(existing!, Created: false);
                }
            }

            await EnsureEmailFreeAsync(connection, transaction, user.Email, exceptUserId: null, cancellationToken);
            var account = user.ToAccount(timeProvider.UtcNowMicroseconds());
            await using var insert = SqliteCommands.Create(connection, transaction, """
                INSERT INTO users (id, email, email_key, display_name, credit_currency, credit_limit_cents, status, version,
                                   request_id, request_fingerprint, create_time_us, update_time_us)
                VALUES ($id, $email, $email_key, $display_name, $currency, $limit_cents, $status, $version,
                        $request_id, $request_fingerprint, $time_us, $time_us)
                """,
                ("$id", account.Id), ("$email", account.Email), ("$email_key", UserAccount.EmailKey(account.Email)),
                ("$display_name", account.DisplayName), ("$currency", account.CreditLimit.Currency),
                ("$limit_cents", account.CreditLimit.Cents), ("$status", UserRows.ToColumn(account.Status)), ("$version", account.Version),
                ("$request_id", user.RequestId), ("$request_fingerprint", user.RequestId is null ? null : user.RequestFingerprint),
                ("$time_us", Timestamps.ToUnixMicroseconds(account.CreateTime)));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return new CreateUserResult(account, Created: true);
        }, cancellationToken);

    public async Task<UserAccount?> GetUserAsync(string userId, CancellationToken cancellationToken)
    {
        using var reader = await _readers.RentAsync(cancellationToken);
        try
        {
            var command = reader.Command(SelectUserById);
            command.Parameters.AddWithValue("$id", userId);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            return await rows.ReadAsync(cancellationToken) ? UserRows.ReadUser(rows) : null;
        }
        catch
        {
            reader.Discard();
            throw;
        }
    }

    public async Task<UserPage> ListUsersAsync(UserListQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = SqliteCommands.Create(connection, null,
            SelectUser + " WHERE u.id > $after AND ($include_deleted = 1 OR u.status <> 'DELETED') ORDER BY u.id LIMIT $limit",
            ("$after", query.AfterId ?? ""), ("$include_deleted", query.IncludeDeleted ? 1 : 0), ("$limit", query.PageSize + 1));
        return await UserRows.ReadPageAsync(command, query.PageSize, cancellationToken);
    }

    public Task<UserAccount> UpdateUserAsync(string userId, UserAccountUpdate update, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadUserAsync(connection, transaction, userId, cancellationToken)
                ?? throw new ResourceNotFoundException("user", userId);
            var updated = current.Apply(update, timeProvider.UtcNowMicroseconds());
            if (UserAccount.EmailKey(updated.Email) != UserAccount.EmailKey(current.Email))
            {
                await EnsureEmailFreeAsync(connection, transaction, updated.Email, userId, cancellationToken);
            }

            await using var command = SqliteCommands.Create(connection, transaction, """
                UPDATE users
                SET email = $email, email_key = $email_key, display_name = $display_name, credit_currency = $currency,
                    credit_limit_cents = $limit_cents, status = $status, version = $new_version, update_time_us = $time_us
                WHERE id = $id AND version = $version
                """,
                ("$email", updated.Email), ("$email_key", UserAccount.EmailKey(updated.Email)), ("$display_name", updated.DisplayName),
                ("$currency", updated.CreditLimit.Currency), ("$limit_cents", updated.CreditLimit.Cents), ("$status", UserRows.ToColumn(updated.Status)),
                ("$new_version", updated.Version), ("$time_us", Timestamps.ToUnixMicroseconds(updated.UpdateTime)),
                ("$id", userId), ("$version", current.Version));
            await ExecuteConditionalAsync(command, $"user '{userId}' changed concurrently; re-read it and retry", cancellationToken);
            return updated;
        }, cancellationToken);

    public Task<UserAccount> DeleteUserAsync(string userId, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadUserAsync(connection, transaction, userId, cancellationToken)
                ?? throw new ResourceNotFoundException("user", userId);
            var deleted = current.MarkDeleted(timeProvider.UtcNowMicroseconds());
            if (deleted == current)
            {
                return current;
            }

            await using var command = SqliteCommands.Create(connection, transaction,
                "UPDATE users SET status = $status, version = $new_version, update_time_us = $time_us WHERE id = $id AND version = $version",
                ("$status", UserRows.ToColumn(deleted.Status)), ("$new_version", deleted.Version),
                ("$time_us", Timestamps.ToUnixMicroseconds(deleted.UpdateTime)), ("$id", userId), ("$version", current.Version));
            await ExecuteConditionalAsync(command, $"user '{userId}' changed concurrently; retry", cancellationToken);
            return deleted;
        }, cancellationToken);

    public Task<CreditReservationResult> ReserveCreditAsync(CreditReservationRequest request, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var user = await ReadUserAsync(connection, transaction, request.UserId, cancellationToken)
                ?? throw new ResourceNotFoundException("user", request.UserId);

            // Idempotency first: a replay returns what the first attempt did, even if the user has changed since.
            var existing = await ReadReservationAsync(connection, transaction, request.ReservationId, cancellationToken);
            if (existing is not null)
            {
                return new CreditReservationResult(existing.ReplayFor(request), user.AvailableCredit);
            }

            var result = user.Reserve(request, timeProvider.UtcNowMicroseconds());
            var reservation = result.Reservation;
            await using var insert = SqliteCommands.Create(connection, transaction, """
                INSERT INTO credit_reservations (reservation_id, user_id, currency, amount_cents, status, create_time_us, update_time_us)
                VALUES ($id, $user_id, $currency, $amount_cents, $status, $time_us, $time_us)
                """,
                ("$id", reservation.ReservationId), ("$user_id", reservation.UserId), ("$currency", reservation.Amount.Currency),
                ("$amount_cents", reservation.Amount.Cents), ("$status", UserRows.ToColumn(reservation.State)),
                ("$time_us", Timestamps.ToUnixMicroseconds(reservation.CreateTime)));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return result;
        }, cancellationToken);

    public Task<CreditReservationResult> ReleaseCreditAsync(string reservationId, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadReservationAsync(connection, transaction, reservationId, cancellationToken)
                ?? throw new ResourceNotFoundException("reservation", reservationId);
            var released = current.Release(timeProvider.UtcNowMicroseconds());
            if (released != current)
            {
                await using var command = SqliteCommands.Create(connection, transaction,
                    "UPDATE credit_reservations SET status = $status, update_time_us = $time_us WHERE reservation_id = $id AND status = 'RESERVED'",
                    ("$status", UserRows.ToColumn(released.State)), ("$time_us", Timestamps.ToUnixMicroseconds(released.UpdateTime)), ("$id", reservationId));
                await ExecuteConditionalAsync(command, $"reservation '{reservationId}' changed concurrently; retry", cancellationToken);
            }

            var user = await ReadUserAsync(connection, transaction, current.UserId, cancellationToken)
                ?? throw new InvalidOperationException($"reservation '{reservationId}' refers to missing user '{current.UserId}'");
            return new CreditReservationResult(released, user.AvailableCredit);
        }, cancellationToken);

    public void Dispose()
    {
        _readers.Dispose();
        _writeGate.Dispose();
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction();
            var result = await work(connection, transaction);

            // Once the work is done, commit it even if the caller has gone away: a retry then sees a replay.
            await transaction.CommitAsync(CancellationToken.None);
            return result;
        }
        catch (SqliteException ex) when (SqliteErrors.IsBusy(ex))
        {
            throw new StoreUnavailableException("the users database is busy; nothing was written, retry later", ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static async Task EnsureEmailFreeAsync(
        SqliteConnection connection, SqliteTransaction transaction, string email, string? exceptUserId, CancellationToken cancellationToken)
    {
        await using var command = SqliteCommands.Create(connection, transaction,
            "SELECT 1 FROM users WHERE email_key = $email_key AND status <> 'DELETED' AND id <> $except_id LIMIT 1",
            ("$email_key", UserAccount.EmailKey(email)), ("$except_id", exceptUserId ?? ""));
        if (await command.ExecuteScalarAsync(cancellationToken) is not null)
        {
            throw UserConflicts.EmailTaken(email);
        }
    }

    private static async Task ExecuteConditionalAsync(SqliteCommand command, string conflictMessage, CancellationToken cancellationToken)
    {
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new ConcurrencyConflictException(conflictMessage);
        }
    }

    private static async Task<UserAccount?> ReadUserAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string userId, CancellationToken cancellationToken)
    {
        await using var command = SqliteCommands.Create(connection, transaction, SelectUserById, ("$id", userId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserRows.ReadUser(reader) : null;
    }

    private static async Task<CreditReservation?> ReadReservationAsync(
        SqliteConnection connection, SqliteTransaction transaction, string reservationId, CancellationToken cancellationToken)
    {
        await using var command = SqliteCommands.Create(connection, transaction, SelectReservation + " WHERE reservation_id = $id", ("$id", reservationId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserRows.ReadReservation(reader) : null;
    }

    public Task PingAsync(CancellationToken cancellationToken) => connections.PingAsync(cancellationToken);
}

using System.Data;
using GrpcMesh.Storage;
using GrpcMesh.UserService.Domain;
using Npgsql;
using NpgsqlTypes;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// <see cref="IUserStore"/> on PostgreSQL, correct with several replicas sharing one database. Every write is one
/// READ COMMITTED transaction that first locks the user row (<c>SELECT … FOR UPDATE</c>) and only then reads what the
/// rules need, in a following statement whose snapshot includes everything the previous lock holder committed: so
/// reservations against one user are serialized across replicas and never overdraw, and an etag check cannot pass twice.
/// Idempotency keys and live emails are unique constraints, not in-process locks. When a concurrent transaction wins
/// one of them (23505), or the server reports a deadlock or serialization failure, the server has rolled the whole
/// transaction back and the unit of work runs again: its checks then see the winner and answer with a replay or a
/// conflict, exactly as <see cref="SqliteUserStore"/> does.
/// </summary>
public sealed partial class PostgresUserStore(NpgsqlDataSource dataSource, TimeProvider timeProvider, ILogger<PostgresUserStore> logger)
    : IUserStore
{
    /// <summary>A conflict re-run sees the winner's committed row, so a second attempt settles it; the rest is headroom.</summary>
    private const int MaxAttempts = 5;

    // SUM(bigint) is numeric in PostgreSQL; cents stay far below 2^63 (see Money.MaxUnits).
    private const string SelectUser = """
        SELECT u.id, u.email, u.display_name, u.credit_currency, u.credit_limit_cents, u.status, u.version,
               u.create_time, u.update_time,
               (SELECT COALESCE(SUM(r.amount_cents), 0) FROM credit_reservations r
                 WHERE r.user_id = u.id AND r.status = 'RESERVED')::bigint AS reserved_cents
        FROM users u
        """;

    private const string SelectReservation = """
        SELECT reservation_id, user_id, currency, amount_cents, status, create_time, update_time
        FROM credit_reservations
        """;

    public async Task<SchemaMigration> MigrateAsync(CancellationToken cancellationToken)
    {
        var before = await PostgresUserSchema.MigrateAsync(dataSource, PostgresUserSchema.LatestVersion, cancellationToken);
        return new SchemaMigration(PostgresDataSources.Describe(dataSource), before, PostgresUserSchema.LatestVersion);
    }

    public Task<CreateUserResult> CreateUserAsync(NewUserAccount user, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // One statement, so one snapshot, for both checks: a concurrent twin of this request that commits in between
            // must show up as the replay it is, never as "email taken".
            string? replayOf = null;
            var emailTaken = false;
            await using (var find = Command(connection, transaction,
                "SELECT id, request_id, request_fingerprint FROM users WHERE request_id = $1 OR (email_key = $2 AND status <> 'DELETED')",
                user.RequestId, UserAccount.EmailKey(user.Email)))
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (user.RequestId is not null && !reader.IsDBNull(1) && reader.GetString(1) == user.RequestId)
                    {
                        user.EnsureReplayOf(reader.GetString(2));
                        replayOf = reader.GetString(0);
                    }
                    else
                    {
                        emailTaken = true;
                    }
                }
            }

            if (replayOf is not null)
            {
                var existing = await ReadUserAsync(connection, transaction, replayOf, cancellationToken);
                return new CreateUserResult(existing!, Created: false);
            }

            if (emailTaken)
            {
                throw UserConflicts.EmailTaken(user.Email);
            }

            var account = user.ToAccount(timeProvider.UtcNowMicroseconds());
            await using var insert = Command(connection, transaction, """
                INSERT INTO users (id, email, email_key, display_name, credit_currency, credit_limit_cents, status, version,
                                   request_id, request_fingerprint, create_time, update_time)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
                """,
                account.Id, account.Email, UserAccount.EmailKey(account.Email), account.DisplayName, account.CreditLimit.Currency,
                account.CreditLimit.Cents, UserRows.ToColumn(account.Status), account.Version,
                user.RequestId, user.RequestId is null ? null : user.RequestFingerprint, account.CreateTime);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return new CreateUserResult(account, Created: true);
        }, cancellationToken);

    public Task<UserAccount?> GetUserAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync(connection => ReadUserAsync(connection, transaction: null, userId, cancellationToken), cancellationToken);

    public Task<UserPage> ListUsersAsync(UserListQuery query, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null,
                SelectUser + " WHERE u.id > $1 AND ($2 OR u.status <> 'DELETED') ORDER BY u.id LIMIT $3",
                query.AfterId ?? "", query.IncludeDeleted, query.PageSize + 1);
            return await UserRows.ReadPageAsync(command, query.PageSize, cancellationToken);
        }, cancellationToken);

    public Task<UserAccount> UpdateUserAsync(string userId, UserAccountUpdate update, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var (current, _) = await LockUserAsync(connection, transaction, userId, reservationId: null, cancellationToken);
            if (current is null)
            {
                throw new ResourceNotFoundException("user", userId);
            }

            var updated = current.Apply(update, timeProvider.UtcNowMicroseconds());
            if (UserAccount.EmailKey(updated.Email) != UserAccount.EmailKey(current.Email))
            {
                await EnsureEmailFreeAsync(connection, transaction, updated.Email, userId, cancellationToken);
            }

            await using var command = Command(connection, transaction, """
                UPDATE users
                SET email = $1, email_key = $2, display_name = $3, credit_currency = $4, credit_limit_cents = $5, status = $6,
                    version = $7, update_time = $8
                WHERE id = $9 AND version = $10
                """,
                updated.Email, UserAccount.EmailKey(updated.Email), updated.DisplayName, updated.CreditLimit.Currency,
                updated.CreditLimit.Cents, UserRows.ToColumn(updated.Status), updated.Version, updated.UpdateTime, userId, current.Version);
            await ExecuteConditionalAsync(command, $"user '{userId}' changed concurrently; re-read it and retry", cancellationToken);
            return updated;
        }, cancellationToken);

    public Task<UserAccount> DeleteUserAsync(string userId, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var (current, _) = await LockUserAsync(connection, transaction, userId, reservationId: null, cancellationToken);
            if (current is null)
            {
                throw new ResourceNotFoundException("user", userId);
            }

            var deleted = current.MarkDeleted(timeProvider.UtcNowMicroseconds());
            if (deleted == current)
            {
                return current;
            }

            await using var command = Command(connection, transaction,
                "UPDATE users SET status = $1, version = $2, update_time = $3 WHERE id = $4 AND version = $5",
                UserRows.ToColumn(deleted.Status), deleted.Version, deleted.UpdateTime, userId, current.Version);
            await ExecuteConditionalAsync(command, $"user '{userId}' changed concurrently; retry", cancellationToken);
            return deleted;
        }, cancellationToken);

    public Task<CreditReservationResult> ReserveCreditAsync(CreditReservationRequest request, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var (user, existing) = await LockUserAsync(connection, transaction, request.UserId, request.ReservationId, cancellationToken)
                ;
            if (user is null)
            {
                throw new ResourceNotFoundException("user", request.UserId);
            }

            // Idempotency first: a replay returns what the first attempt did, even if the user has changed since.
            if (existing is not null)
            {
                return new CreditReservationResult(existing.ReplayFor(request), user.AvailableCredit);
            }

            var result = user.Reserve(request, timeProvider.UtcNowMicroseconds());
            var reservation = result.Reservation;
            await using var insert = Command(connection, transaction, """
                INSERT INTO credit_reservations (reservation_id, user_id, currency, amount_cents, status, create_time, update_time)
                VALUES ($1, $2, $3, $4, $5, $6, $6)
                """,
                reservation.ReservationId, reservation.UserId, reservation.Amount.Currency, reservation.Amount.Cents,
                UserRows.ToColumn(reservation.State), reservation.CreateTime);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return result;
        }, cancellationToken);

    public Task<CreditReservationResult> ReleaseCreditAsync(string reservationId, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // Reservations are never deleted and never change user, so this unlocked read only tells which user row to lock.
            string userId;
            await using (var owner = Command(connection, transaction, "SELECT user_id FROM credit_reservations WHERE reservation_id = $1", reservationId))
            {
                userId = await owner.ExecuteScalarAsync(cancellationToken) as string
                    ?? throw new ResourceNotFoundException("reservation", reservationId);
            }

            var (_, current) = await LockUserAsync(connection, transaction, userId, reservationId, cancellationToken);
            var released = current!.Release(timeProvider.UtcNowMicroseconds());
            if (released != current)
            {
                await using var command = Command(connection, transaction,
                    "UPDATE credit_reservations SET status = $1, update_time = $2 WHERE reservation_id = $3 AND status = 'RESERVED'",
                    UserRows.ToColumn(released.State), released.UpdateTime, reservationId);
                await ExecuteConditionalAsync(command, $"reservation '{reservationId}' changed concurrently; retry", cancellationToken);
            }

            var user = await ReadUserAsync(connection, transaction, userId, cancellationToken)
                ?? throw new InvalidOperationException($"reservation '{reservationId}' refers to missing user '{userId}'");
            return new CreditReservationResult(released, user.AvailableCredit);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits it, re-running it when the server rolled it back
    /// because of a conflicting transaction. Re-runs start at once: the conflicting transaction has already finished
    /// (a unique violation is only raised once the winner committed; a deadlock victim's rival proceeds).
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var committing = false;
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken)
                    ;
                var result = await work(connection, transaction);

                // Once the work is done, commit it even if the caller has gone away: a retry then sees a replay.
                committing = true;
                await transaction.CommitAsync(CancellationToken.None);
                return result;
            }
            catch (PostgresException ex) when (!committing && PostgresErrors.IsConflict(ex) && attempt < MaxAttempts)
            {
                LogConflictRetry(logger, ex.SqlState, ex.ConstraintName, attempt);
            }
            catch (Exception ex) when (PostgresErrors.IsTransient(ex) || ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                throw new StoreUnavailableException(committing
                    ? "the users database failed while committing; the change may or may not be applied, retry (replays with the same id are safe)"
                    : "the users database is unavailable or busy; nothing was written, retry later", ex);
            }
        }
    }

    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await work(connection);
        }
        catch (Exception ex) when (PostgresErrors.IsTransient(ex))
        {
            throw new StoreUnavailableException("the users database is unavailable; retry later", ex);
        }
    }

    /// <summary>
    /// Locks the user row, then reads the user (with its reserved sum) and, if asked, a reservation. One round trip; the
    /// reads are separate statements after the lock, so under READ COMMITTED they see every transaction that held the
    /// lock before (a single locking statement would compute the sum from a snapshot taken before it waited).
    /// </summary>
    private static async Task<(UserAccount? User, CreditReservation? Reservation)> LockUserAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string userId, string? reservationId, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                BatchCommand("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", userId),
                BatchCommand(SelectUser + " WHERE u.id = $1", userId),
            },
        };
        if (reservationId is not null)
        {
            batch.BatchCommands.Add(BatchCommand(SelectReservation + " WHERE reservation_id = $1", reservationId));
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var user = await reader.ReadAsync(cancellationToken) ? UserRows.ReadUser(reader) : null;
        CreditReservation? reservation = null;
        if (reservationId is not null && await reader.NextResultAsync(cancellationToken)
            && await reader.ReadAsync(cancellationToken))
        {
            reservation = UserRows.ReadReservation(reader);
        }

        return (user, reservation);
    }

    private static async Task EnsureEmailFreeAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string email, string? exceptUserId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            "SELECT 1 FROM users WHERE email_key = $1 AND status <> 'DELETED' AND id <> $2 LIMIT 1",
            UserAccount.EmailKey(email), exceptUserId ?? "");
        if (await command.ExecuteScalarAsync(cancellationToken) is not null)
        {
            throw UserConflicts.EmailTaken(email);
        }
    }

    private static async Task ExecuteConditionalAsync(NpgsqlCommand command, string conflictMessage, CancellationToken cancellationToken)
    {
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new ConcurrencyConflictException(conflictMessage);
        }
    }

    private static async Task<UserAccount?> ReadUserAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string userId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, SelectUser + " WHERE u.id = $1", userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? UserRows.ReadUser(reader) : null;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, string value) => new(sql) { Parameters = { Parameter(value) } };

    /// <summary>Positional ($1, $2 …) parameter; the only nullable columns written are text.</summary>
    private static NpgsqlParameter Parameter(object? value) =>
        value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = value };

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug,
        Message = "User store transaction rolled back by a concurrent one ({SqlState} {Constraint}), attempt {Attempt}; running it again")]
    private static partial void LogConflictRetry(ILogger logger, string sqlState, string? constraint, int attempt);

    public Task PingAsync(CancellationToken cancellationToken) => PostgresDataSources.PingAsync(dataSource, cancellationToken);
}

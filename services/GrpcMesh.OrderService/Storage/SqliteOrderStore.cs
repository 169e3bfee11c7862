using GrpcMesh.OrderService.Domain;
using GrpcMesh.Storage;
using Microsoft.Data.Sqlite;
using static GrpcMesh.OrderService.Storage.OrderRows;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// <see cref="IOrderStore"/> on one SQLite file (WAL). Read-modify-write work runs in BEGIN IMMEDIATE transactions,
/// so concurrent writers queue on the file lock instead of failing to upgrade a read lock; as a consequence outbox
/// sequences commit in order, which is why <see cref="ReadEventLogAsync"/> reports no transaction horizon. Times are
/// stored as UTC ticks, money as integer minor units. Reads outside transactions (GetOrder, ListOrders, the request-id
/// lookup) run on a <see cref="SqliteReaderPool"/>: open connections whose statements stay prepared.
/// </summary>
public sealed class SqliteOrderStore(SqliteConnectionFactory connections, OrderEventSignal signal) : IOrderStore, IDisposable
{
    private const string SelectById = $"SELECT {OrderColumns} FROM orders WHERE id = $key";
    private const string SelectByRequestId = $"SELECT {OrderColumns} FROM orders WHERE request_id = $key";
    private const string SelectByUser =
        $"SELECT {OrderColumns} FROM orders WHERE user_id = $user ORDER BY create_time DESC, id DESC LIMIT $limit";
    private const string SelectByUserAfter =
        $"SELECT {OrderColumns} FROM orders WHERE user_id = $user AND (create_time, id) < ($after_time, $after_id) ORDER BY create_time DESC, id DESC LIMIT $limit";

    private readonly SqliteReaderPool _readers = new(connections, maxIdle: Environment.ProcessorCount * 4);

    public async Task<SchemaMigration> MigrateAsync(CancellationToken cancellationToken) =>
        new(connections.DatabasePath, await SqliteOrderSchema.MigrateAsync(connections, cancellationToken), SqliteOrderSchema.LatestVersion);

    public Task<OrderRecord?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        ReadSingleOrderAsync(SelectById, orderId, cancellationToken);

    public Task<OrderRecord?> FindByRequestIdAsync(string requestId, CancellationToken cancellationToken) =>
        ReadSingleOrderAsync(SelectByRequestId, requestId, cancellationToken);

    public async Task<IReadOnlyList<OrderRecord>> ListByUserAsync(string userId, OrderCursor? after, int limit, CancellationToken cancellationToken)
    {
        using var reader = await _readers.RentAsync(cancellationToken);
        try
        {
            var command = reader.Command(after is null ? SelectByUser : SelectByUserAfter);
            command.Parameters.AddWithValue("$user", userId);
            command.Parameters.AddWithValue("$limit", limit);
            if (after is { } cursor)
            {
                command.Parameters.AddWithValue("$after_time", cursor.CreateTime.UtcTicks);
                command.Parameters.AddWithValue("$after_id", cursor.OrderId);
            }

            return await ReadAllAsync(command, ReadOrder, cancellationToken);
        }
        catch
        {
            reader.Discard();
            throw;
        }
    }

    public async Task<CreateResult> CreateAsync(OrderRecord order, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        using (var transaction = connection.BeginTransaction())
        {
            var existing = await QuerySingleOrderAsync(connection, transaction, "request_id = $key", order.RequestId, cancellationToken);
            if (existing is not null)
            {
                return new CreateResult(existing, Created: false);
            }

            try
            {
                await ExecuteAsync(connection, transaction,
                    $"INSERT INTO orders ({OrderColumns}) VALUES ($id, $request, $user, $currency, $total, $lines, $state, $reason, $created, $updated)",
                    cancellationToken,
                    ("$id", order.Id), ("$request", order.RequestId), ("$user", order.UserId),
                    ("$currency", order.Total.Currency), ("$total", order.Total.Cents), ("$lines", LinesJson(order)),
                    ("$state", order.State.ToString()), ("$reason", order.StateReason),
                    ("$created", order.CreateTime.UtcTicks), ("$updated", order.UpdateTime.UtcTicks));
                await ExecuteAsync(connection, transaction,
                    $"INSERT INTO order_sagas ({SagaColumns}) VALUES ($id, $reservation, $step, 0, NULL, NULL, $at, $at)",
                    cancellationToken,
                    ("$id", order.Id), ("$reservation", order.ReservationId), ("$step", nameof(SagaStep.Reserving)),
                    ("$at", order.CreateTime.UtcTicks));
                await InsertEventAsync(connection, transaction, order, order.CreateTime, cancellationToken);
                transaction.Commit();
                signal.Notify();
                return new CreateResult(order, Created: true);
            }
            catch (SqliteException ex) when (SqliteErrors.IsConstraint(ex))
            {
                transaction.Rollback();
            }
        }

        // Only reachable if another writer slipped past the request_id check (the UNIQUE index is the backstop).
        return new CreateResult(
            await QuerySingleOrderAsync(connection, null, "request_id = $key", order.RequestId, cancellationToken)
                ?? throw new InvalidOperationException($"order {order.Id} violated a constraint other than request_id uniqueness"),
            Created: false);
    }

    public async Task<TransitionResult> TransitionAsync(OrderTransition transition, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        var current = await QuerySingleOrderAsync(connection, transaction, "id = $key", transition.OrderId, cancellationToken);
        if (current is null || !transition.From.Contains(current.State))
        {
            return new TransitionResult(current, Applied: false);
        }

        var updated = Apply(current, transition);
        await ExecuteAsync(connection, transaction,
            "UPDATE orders SET state = $state, state_reason = $reason, update_time = $at WHERE id = $id",
            cancellationToken,
            ("$state", updated.State.ToString()), ("$reason", updated.StateReason), ("$at", transition.At.UtcTicks), ("$id", updated.Id));
        await ExecuteAsync(connection, transaction,
            """
            UPDATE order_sagas SET step = $step, attempts = 0, next_attempt_at = $next, last_error = $error, updated_at = $at
            WHERE order_id = $id
            """,
            cancellationToken,
            ("$step", transition.Step.ToString()), ("$next", transition.NextAttemptAt?.UtcTicks), ("$error", transition.LastError),
            ("$at", transition.At.UtcTicks), ("$id", updated.Id));
        await InsertEventAsync(connection, transaction, updated, transition.At, cancellationToken);
        transaction.Commit();
        signal.Notify();
        return new TransitionResult(updated, Applied: true);
    }

    public async Task<SagaRecord?> GetSagaAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = SqliteCommands.Create(connection, null, $"SELECT {SagaColumns} FROM order_sagas WHERE order_id = $id", ("$id", orderId));
        return (await ReadAllAsync(command, ReadSaga, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<SagaRecord>> FindStalledSagasAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = SqliteCommands.Create(connection, null,
            $"SELECT {SagaColumns} FROM order_sagas WHERE step = $step AND started_at < $before ORDER BY started_at LIMIT $limit",
            ("$step", nameof(SagaStep.Reserving)), ("$before", startedBefore.UtcTicks), ("$limit", limit));
        return await ReadAllAsync(command, ReadSaga, cancellationToken);
    }

    public async Task<IReadOnlyList<SagaRecord>> ClaimDueCompensationsAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        // Read the due sagas as they are (attempts, times), then take the lease, both under the write lock.
        await using var select = SqliteCommands.Create(connection, transaction,
            $"SELECT {SagaColumns} FROM order_sagas WHERE step = $step AND next_attempt_at <= $now ORDER BY next_attempt_at LIMIT $limit",
            ("$step", nameof(SagaStep.Releasing)), ("$now", now.UtcTicks), ("$limit", limit));
        var due = await ReadAllAsync(select, ReadSaga, cancellationToken);
        foreach (var saga in due)
        {
            await ExecuteAsync(connection, transaction, "UPDATE order_sagas SET next_attempt_at = $lease WHERE order_id = $id",
                cancellationToken, ("$lease", leaseUntil.UtcTicks), ("$id", saga.OrderId));
        }

        transaction.Commit();
        return due;
    }

    public async Task CompleteCompensationAsync(string orderId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null,
            """
            UPDATE order_sagas SET step = $released, next_attempt_at = NULL, last_error = NULL, updated_at = $at
            WHERE order_id = $id AND step = $releasing
            """,
            cancellationToken,
            ("$released", nameof(SagaStep.Released)), ("$releasing", nameof(SagaStep.Releasing)), ("$at", at.UtcTicks), ("$id", orderId));
    }

    public async Task RescheduleCompensationAsync(string orderId, DateTimeOffset nextAttemptAt, string error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null,
            """
            UPDATE order_sagas SET attempts = attempts + 1, next_attempt_at = $next, last_error = $error, updated_at = $at
            WHERE order_id = $id AND step = $releasing
            """,
            cancellationToken,
            ("$next", nextAttemptAt.UtcTicks), ("$error", error), ("$at", at.UtcTicks), ("$id", orderId),
            ("$releasing", nameof(SagaStep.Releasing)));
    }

    public async Task<IReadOnlyList<OrderEvent>> ReadEventsAsync(
        long afterSequence, long throughSequence, string? userId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var userFilter = userId is null ? "" : "AND user_id = $user";
        await using var command = SqliteCommands.Create(connection, null,
            $"""
            SELECT {EventColumns} FROM order_events
            WHERE sequence > $after AND sequence <= $through {userFilter} ORDER BY sequence LIMIT $limit
            """,
            ("$after", afterSequence), ("$through", throughSequence), ("$user", userId), ("$limit", limit));
        return await ReadAllAsync(command, ReadEvent, cancellationToken);
    }

    public async Task<EventLogPage> ReadEventLogAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        // One read transaction: the page and the maximum come from the same WAL snapshot.
        using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = SqliteCommands.Create(connection, transaction,
            $"SELECT {EventColumns} FROM order_events WHERE sequence > $after ORDER BY sequence LIMIT $limit",
            ("$after", afterSequence), ("$limit", limit));
        var events = await ReadAllAsync(command, ReadEvent, cancellationToken);
        await using var max = SqliteCommands.Create(connection, transaction, "SELECT COALESCE(MAX(sequence), 0) FROM order_events");
        var maxSequence = (long)(await max.ExecuteScalarAsync(cancellationToken))!;
        transaction.Commit();
        return new EventLogPage(events, maxSequence, OldestRunning: 0);
    }

    public Task<ulong> GetWriterBoundAsync(CancellationToken cancellationToken) => Task.FromResult(0UL);

    public Task PingAsync(CancellationToken cancellationToken) => connections.PingAsync(cancellationToken);

    public void Dispose() => _readers.Dispose();

    private async Task<OrderRecord?> ReadSingleOrderAsync(string sql, string key, CancellationToken cancellationToken)
    {
        using var reader = await _readers.RentAsync(cancellationToken);
        try
        {
            var command = reader.Command(sql);
            command.Parameters.AddWithValue("$key", key);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            return await rows.ReadAsync(cancellationToken) ? ReadOrder(rows) : null;
        }
        catch
        {
            reader.Discard();
            throw;
        }
    }

    private static async Task<OrderRecord?> QuerySingleOrderAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string where, string key, CancellationToken cancellationToken)
    {
        await using var command = SqliteCommands.Create(connection, transaction, $"SELECT {OrderColumns} FROM orders WHERE {where}", ("$key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOrder(reader) : null;
    }

    private static Task InsertEventAsync(
        SqliteConnection connection, SqliteTransaction transaction, OrderRecord order, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO order_events (order_id, user_id, type, event_time, snapshot_json) VALUES ($id, $user, $type, $at, $snapshot)",
            cancellationToken,
            ("$id", order.Id), ("$user", order.UserId), ("$type", EventTypeFor(order.State).ToString()), ("$at", at.UtcTicks),
            ("$snapshot", SnapshotJson(order)));

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = SqliteCommands.Create(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

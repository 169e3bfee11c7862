using System.Text.Json;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// <see cref="IOrderStore"/> on one SQLite file (WAL). Read-modify-write work runs in BEGIN IMMEDIATE transactions,
/// so concurrent writers queue on the file lock instead of failing to upgrade a read lock. Times are stored as UTC ticks,
/// money as integer minor units.
/// </summary>
public sealed class SqliteOrderStore(SqliteConnectionFactory connections) : IOrderStore
{
    private const int SqliteConstraint = 19;
    private const string OrderColumns =
        "id, request_id, user_id, currency, total_minor, lines_json, state, state_reason, create_time, update_time";
    private const string SagaColumns =
        "order_id, reservation_id, step, attempts, next_attempt_at, last_error, started_at, updated_at";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        SqliteOrderSchema.Migrate(connection);
    }

    public async Task<OrderRecord?> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await QuerySingleOrderAsync(connection, null, "id = $key", orderId, cancellationToken);
    }

    public async Task<OrderRecord?> FindByRequestIdAsync(string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await QuerySingleOrderAsync(connection, null, "request_id = $key", requestId, cancellationToken);
    }

    public async Task<IReadOnlyList<OrderRecord>> ListByUserAsync(string userId, OrderCursor? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var keyset = after is null ? "" : "AND (create_time, id) < ($after_time, $after_id)";
        await using var command = Command(connection, null,
            $"SELECT {OrderColumns} FROM orders WHERE user_id = $user {keyset} ORDER BY create_time DESC, id DESC LIMIT $limit",
            ("$user", userId), ("$limit", limit),
            ("$after_time", after?.CreateTime.UtcTicks), ("$after_id", after?.OrderId));
        var orders = new List<OrderRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            orders.Add(ReadOrder(reader));
        }

        return orders;
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
                await InsertOrderAsync(connection, transaction, order, cancellationToken);
                await ExecuteAsync(connection, transaction,
                    $"INSERT INTO order_sagas ({SagaColumns}) VALUES ($id, $reservation, $step, 0, NULL, NULL, $at, $at)",
                    cancellationToken,
                    ("$id", order.Id), ("$reservation", order.ReservationId), ("$step", nameof(SagaStep.Reserving)),
                    ("$at", order.CreateTime.UtcTicks));
                await InsertEventAsync(connection, transaction, order, OrderEventType.Created, order.CreateTime, cancellationToken);
                transaction.Commit();
                return new CreateResult(order, Created: true);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
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

        var updated = current with { State = transition.To, StateReason = transition.Reason, UpdateTime = transition.At };
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
        await InsertEventAsync(connection, transaction, updated, EventTypeFor(updated.State), transition.At, cancellationToken);
        transaction.Commit();
        return new TransitionResult(updated, Applied: true);
    }

    public async Task<SagaRecord?> GetSagaAsync(string orderId, CancellationToken cancellationToken)
    {
        var sagas = await QuerySagasAsync("order_id = $a", orderId, null, 1, cancellationToken);
        return sagas.Count == 0 ? null : sagas[0];
    }

    public Task<IReadOnlyList<SagaRecord>> FindStalledSagasAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken) =>
        QuerySagasAsync("step = $a AND started_at < $b ORDER BY started_at", nameof(SagaStep.Reserving), startedBefore.UtcTicks, limit, cancellationToken);

    public Task<IReadOnlyList<SagaRecord>> FindDueCompensationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QuerySagasAsync("step = $a AND next_attempt_at <= $b ORDER BY next_attempt_at", nameof(SagaStep.Releasing), now.UtcTicks, limit, cancellationToken);

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

    public async Task<IReadOnlyList<OrderEvent>> ReadEventsAsync(long afterSequence, string? userId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var userFilter = userId is null ? "" : "AND user_id = $user";
        await using var command = Command(connection, null,
            $"SELECT sequence, type, snapshot_json, event_time FROM order_events WHERE sequence > $after {userFilter} ORDER BY sequence LIMIT $limit",
            ("$after", afterSequence), ("$user", userId), ("$limit", limit));
        var events = new List<OrderEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new OrderEvent(
                reader.GetInt64(0),
                Enum.Parse<OrderEventType>(reader.GetString(1)),
                JsonSerializer.Deserialize(reader.GetString(2), OrderJsonContext.Default.OrderRecord)!,
                FromTicks(reader.GetInt64(3))));
        }

        return events;
    }

    private async Task<IReadOnlyList<SagaRecord>> QuerySagasAsync(string where, string a, long? b, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            $"SELECT {SagaColumns} FROM order_sagas WHERE {where} LIMIT $limit",
            ("$a", a), ("$b", b), ("$limit", limit));
        var sagas = new List<SagaRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sagas.Add(new SagaRecord(
                reader.GetString(0),
                reader.GetString(1),
                Enum.Parse<SagaStep>(reader.GetString(2)),
                reader.GetInt32(3),
                reader.IsDBNull(4) ? null : FromTicks(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                FromTicks(reader.GetInt64(6)),
                FromTicks(reader.GetInt64(7))));
        }

        return sagas;
    }

    private static async Task<OrderRecord?> QuerySingleOrderAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string where, string key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {OrderColumns} FROM orders WHERE {where}", ("$key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOrder(reader) : null;
    }

    private static Task InsertOrderAsync(SqliteConnection connection, SqliteTransaction transaction, OrderRecord order, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"INSERT INTO orders ({OrderColumns}) VALUES ($id, $request, $user, $currency, $total, $lines, $state, $reason, $created, $updated)",
            cancellationToken,
            ("$id", order.Id), ("$request", order.RequestId), ("$user", order.UserId),
            ("$currency", order.Total.Currency), ("$total", order.Total.Minor),
            ("$lines", JsonSerializer.Serialize(order.Lines.ToList(), OrderJsonContext.Default.ListOrderLine)),
            ("$state", order.State.ToString()), ("$reason", order.StateReason),
            ("$created", order.CreateTime.UtcTicks), ("$updated", order.UpdateTime.UtcTicks));

    private static Task InsertEventAsync(
        SqliteConnection connection, SqliteTransaction transaction, OrderRecord order, OrderEventType type, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO order_events (order_id, user_id, type, event_time, snapshot_json) VALUES ($id, $user, $type, $at, $snapshot)",
            cancellationToken,
            ("$id", order.Id), ("$user", order.UserId), ("$type", type.ToString()), ("$at", at.UtcTicks),
            ("$snapshot", JsonSerializer.Serialize(order, OrderJsonContext.Default.OrderRecord)));

    private static OrderEventType EventTypeFor(OrderState state) => state switch
    {
        OrderState.Pending => OrderEventType.Created,
        OrderState.Confirmed => OrderEventType.Confirmed,
        OrderState.Rejected => OrderEventType.Rejected,
        OrderState.Cancelled => OrderEventType.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown order state"),
    };

    private static OrderRecord ReadOrder(SqliteDataReader reader) => new(
        Id: reader.GetString(0),
        RequestId: reader.GetString(1),
        UserId: reader.GetString(2),
        Lines: JsonSerializer.Deserialize(reader.GetString(5), OrderJsonContext.Default.ListOrderLine)!,
        Total: new Money(reader.GetString(3), reader.GetInt64(4)),
        State: Enum.Parse<OrderState>(reader.GetString(6)),
        StateReason: reader.GetString(7),
        CreateTime: FromTicks(reader.GetInt64(8)),
        UpdateTime: FromTicks(reader.GetInt64(9)));

    private static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static async Task ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SqliteCommand Command(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

using System.Data;
using System.Globalization;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.Storage;
using Npgsql;
using NpgsqlTypes;
using static GrpcMesh.OrderService.Storage.OrderRows;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// <see cref="IOrderStore"/> on PostgreSQL, correct with several OrderService replicas on one database:
/// <list type="bullet">
/// <item>idempotency by the UNIQUE request_id: <c>INSERT … ON CONFLICT (request_id) DO NOTHING</c> waits for a concurrent
/// twin and then inserts nothing, and the caller gets the twin's order (same answer as SQLite's replay);</item>
/// <item>state changes are compare-and-set (<c>UPDATE … WHERE state = ANY(@from)</c>), so two replicas cannot both apply one;</item>
/// <item>each change writes its outbox row and a NOTIFY (a wake-up for other replicas' watchers) in the same transaction;</item>
/// <item>due compensations are claimed with <c>FOR UPDATE SKIP LOCKED</c> and a lease, so sweepers never share one.</item>
/// </list>
/// Times are timestamptz, i.e. microseconds: records are truncated to microseconds before they are written, so what a
/// write returns equals what a later read returns. Transient failures become <see cref="StoreUnavailableException"/>.
/// </summary>
public sealed class PostgresOrderStore(NpgsqlDataSource dataSource, OrderEventSignal signal) : IOrderStore
{
    private const string Notify = $"SELECT pg_notify('{PostgresOrderSchema.EventChannel}', $1)"; // payload: the order id

    public async Task<SchemaMigration> MigrateAsync(CancellationToken cancellationToken) =>
        new(PostgresDataSources.Describe(dataSource), await PostgresOrderSchema.MigrateAsync(dataSource, cancellationToken), PostgresOrderSchema.LatestVersion);

    public Task<OrderRecord?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        ReadAsync(connection => QuerySingleOrderAsync(connection, null, "id = $1", orderId, cancellationToken));

    public Task<OrderRecord?> FindByRequestIdAsync(string requestId, CancellationToken cancellationToken) =>
        ReadAsync(connection => QuerySingleOrderAsync(connection, null, "request_id = $1", requestId, cancellationToken));

    public Task<IReadOnlyList<OrderRecord>> ListByUserAsync(string userId, OrderCursor? after, int limit, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = after is { } cursor
                ? Command(connection, null,
                    $"SELECT {OrderColumns} FROM orders WHERE user_id = $1 AND (create_time, id) < ($2, $3) ORDER BY create_time DESC, id DESC LIMIT $4",
                    P(userId), P(cursor.CreateTime), P(cursor.OrderId), P(limit))
                : Command(connection, null,
                    $"SELECT {OrderColumns} FROM orders WHERE user_id = $1 ORDER BY create_time DESC, id DESC LIMIT $2",
                    P(userId), P(limit));
            return await ReadAllAsync(command, ReadOrder, cancellationToken);
        });

    public async Task<CreateResult> CreateAsync(OrderRecord order, CancellationToken cancellationToken)
    {
        order = Microseconds(order);
        var created = await WriteAsync(async (connection, transaction) =>
        {
            await using (var insert = Command(connection, transaction,
                $"""
                INSERT INTO orders ({OrderColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (request_id) DO NOTHING
                """,
                P(order.Id), P(order.RequestId), P(order.UserId), P(order.Total.Currency), P(order.Total.Cents),
                P(LinesJson(order), NpgsqlDbType.Jsonb), P(order.State.ToString()), P(order.StateReason),
                P(order.CreateTime), P(order.UpdateTime)))
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return false; // a twin with this request_id committed first (the insert waited for it)
                }
            }

            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    BatchCommand($"INSERT INTO order_sagas ({SagaColumns}) VALUES ($1, $2, $3, 0, NULL, NULL, $4, $4)",
                        P(order.Id), P(order.ReservationId), P(nameof(SagaStep.Reserving)), P(order.CreateTime)),
                    InsertEvent(order, order.CreateTime),
                    BatchCommand(Notify, P(order.Id)),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

        if (created)
        {
            signal.Notify();
            return new CreateResult(order, Created: true);
        }

        return new CreateResult(
            await FindByRequestIdAsync(order.RequestId, cancellationToken)
                ?? throw new InvalidOperationException($"request_id {order.RequestId} conflicted but no order has it"),
            Created: false);
    }

    public async Task<TransitionResult> TransitionAsync(OrderTransition transition, CancellationToken cancellationToken)
    {
        var at = Microseconds(transition.At);
        var updated = await WriteAsync(async (connection, transaction) =>
        {
            OrderRecord? changed;
            await using (var update = Command(connection, transaction,
                $"""
                UPDATE orders SET state = $1, state_reason = $2, update_time = $3
                WHERE id = $4 AND state = ANY($5)
                RETURNING {OrderColumns}
                """,
                P(transition.To.ToString()), P(transition.Reason), P(at), P(transition.OrderId),
                P(transition.From.Select(s => s.ToString()).ToArray())))
            {
                changed = (await ReadAllAsync(update, ReadOrder, cancellationToken)).SingleOrDefault();
            }

            if (changed is null)
            {
                return null;
            }

            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    BatchCommand(
                        """
                        UPDATE order_sagas SET step = $1, attempts = 0, next_attempt_at = $2, last_error = $3, updated_at = $4
                        WHERE order_id = $5
                        """,
                        P(transition.Step.ToString()), P(transition.NextAttemptAt is { } next ? Microseconds(next) : (DateTimeOffset?)null),
                        P(transition.LastError), P(at), P(changed.Id)),
                    InsertEvent(changed, at),
                    BatchCommand(Notify, P(changed.Id)),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return changed;
        }, cancellationToken);

        if (updated is not null)
        {
            signal.Notify();
            return new TransitionResult(updated, Applied: true);
        }

        return new TransitionResult(await GetAsync(transition.OrderId, cancellationToken), Applied: false);
    }

    public Task<SagaRecord?> GetSagaAsync(string orderId, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, $"SELECT {SagaColumns} FROM order_sagas WHERE order_id = $1", P(orderId));
            return (await ReadAllAsync(command, ReadSaga, cancellationToken)).SingleOrDefault();
        });

    public Task<IReadOnlyList<SagaRecord>> FindStalledSagasAsync(DateTimeOffset startedBefore, int limit, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null,
                $"SELECT {SagaColumns} FROM order_sagas WHERE step = $1 AND started_at < $2 ORDER BY started_at LIMIT $3",
                P(nameof(SagaStep.Reserving)), P(startedBefore), P(limit));
            return await ReadAllAsync(command, ReadSaga, cancellationToken);
        });

    public Task<IReadOnlyList<SagaRecord>> ClaimDueCompensationsAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // SKIP LOCKED: a saga another replica is claiming right now is left to it instead of waited for. The CTE returns
            // the rows as they were before the lease (attempts drive the backoff).
            await using var command = Command(connection, transaction,
                $"""
                WITH due AS (
                    SELECT {SagaColumns} FROM order_sagas
                    WHERE step = $1 AND next_attempt_at <= $2
                    ORDER BY next_attempt_at LIMIT $3
                    FOR UPDATE SKIP LOCKED),
                leased AS (
                    UPDATE order_sagas s SET next_attempt_at = $4 FROM due WHERE s.order_id = due.order_id)
                SELECT {SagaColumns} FROM due ORDER BY next_attempt_at
                """,
                P(nameof(SagaStep.Releasing)), P(now), P(limit), P(Microseconds(leaseUntil)));
            return await ReadAllAsync(command, ReadSaga, cancellationToken);
        }, cancellationToken);

    public Task CompleteCompensationAsync(string orderId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                UPDATE order_sagas SET step = $1, next_attempt_at = NULL, last_error = NULL, updated_at = $2
                WHERE order_id = $3 AND step = $4
                """,
                P(nameof(SagaStep.Released)), P(Microseconds(at)), P(orderId), P(nameof(SagaStep.Releasing)));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task RescheduleCompensationAsync(string orderId, DateTimeOffset nextAttemptAt, string error, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                UPDATE order_sagas SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, updated_at = $3
                WHERE order_id = $4 AND step = $5
                """,
                P(Microseconds(nextAttemptAt)), P(error), P(Microseconds(at)), P(orderId), P(nameof(SagaStep.Releasing)));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<OrderEvent>> ReadEventsAsync(
        long afterSequence, long throughSequence, string? userId, int limit, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null,
                $"""
                SELECT {EventColumns} FROM order_events
                WHERE sequence > $1 AND sequence <= $2 AND ($3::text IS NULL OR user_id = $3)
                ORDER BY sequence LIMIT $4
                """,
                P(afterSequence), P(throughSequence), P(userId), P(limit));
            return await ReadAllAsync(command, ReadEvent, cancellationToken);
        });

    public Task<EventLogPage> ReadEventLogAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            // REPEATABLE READ: the horizon and the rows come from one snapshot (see OrderEventHub for how gaps use it).
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(
                        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, (SELECT COALESCE(MAX(sequence), 0) FROM order_events)"),
                    BatchCommand($"SELECT {EventColumns} FROM order_events WHERE sequence > $1 ORDER BY sequence LIMIT $2",
                        P(afterSequence), P(limit)),
                },
            };
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var oldestRunning = ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture);
            var maxSequence = reader.GetInt64(1);
            await reader.NextResultAsync(cancellationToken);
            var events = new List<OrderEvent>();
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(ReadEvent(reader));
            }

            return new EventLogPage(events, maxSequence, oldestRunning);
        });

    // pg_snapshot_xmax is not a bound for this: it is one past the latest *completed* id, and a running writer may hold a
    // larger one. A newly assigned id is larger than every id assigned before it.
    public Task<ulong> GetWriterBoundAsync(CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, "SELECT pg_current_xact_id()::text");
            return ulong.Parse((string)(await command.ExecuteScalarAsync(cancellationToken))!, CultureInfo.InvariantCulture);
        });

    public Task PingAsync(CancellationToken cancellationToken) => PostgresDataSources.PingAsync(dataSource, cancellationToken);

    private static NpgsqlBatchCommand InsertEvent(OrderRecord order, DateTimeOffset at) =>
        BatchCommand("INSERT INTO order_events (order_id, user_id, type, event_time, snapshot_json) VALUES ($1, $2, $3, $4, $5)",
            P(order.Id), P(order.UserId), P(EventTypeFor(order.State).ToString()), P(at), P(SnapshotJson(order), NpgsqlDbType.Jsonb));

    /// <summary>
    /// Runs <paramref name="work"/> in a READ COMMITTED transaction and commits it (even if the caller has gone away once
    /// the work is done). Transient failures (connection loss, server shutting down, pool timeout) become
    /// <see cref="StoreUnavailableException"/>.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var committing = false;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            var result = await work(connection, transaction);
            committing = true;
            await transaction.CommitAsync(CancellationToken.None);
            return result;
        }
        catch (Exception ex) when (PostgresErrors.IsTransient(ex))
        {
            throw new StoreUnavailableException(committing
                ? "the orders database failed while committing; the change may or may not be applied, retry (CreateOrder replays with the same request_id are safe)"
                : "the orders database is unavailable or busy; nothing was written, retry later", ex);
        }
    }

    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            return await work(connection);
        }
        catch (Exception ex) when (PostgresErrors.IsTransient(ex))
        {
            throw new StoreUnavailableException("the orders database is unavailable; retry later", ex);
        }
    }

    private static async Task<OrderRecord?> QuerySingleOrderAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, string key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {OrderColumns} FROM orders WHERE {where}", P(key));
        return (await ReadAllAsync(command, ReadOrder, cancellationToken)).SingleOrDefault();
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>A positional parameter; nulls are typed (text or timestamptz), JSON goes as jsonb.</summary>
    private static NpgsqlParameter P(object? value, NpgsqlDbType? type = null) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = type ?? NpgsqlDbType.Text },
        _ when type is { } t => new NpgsqlParameter { Value = value, NpgsqlDbType = t },
        _ => new NpgsqlParameter { Value = value },
    };

    private static NpgsqlParameter P(DateTimeOffset? value) =>
        value is { } time ? new NpgsqlParameter { Value = time.ToUniversalTime() } : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static DateTimeOffset Microseconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    private static OrderRecord Microseconds(OrderRecord order) =>
        order with { CreateTime = Microseconds(order.CreateTime), UpdateTime = Microseconds(order.UpdateTime) };
}

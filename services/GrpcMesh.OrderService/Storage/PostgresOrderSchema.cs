using GrpcMesh.Storage;
using Npgsql;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// The OrderService tables in PostgreSQL as ordered migration steps, recorded as component <see cref="Component"/> in
/// <c>schema_version</c> (see <see cref="PostgresSchemaMigrator"/>: one transaction under an advisory lock, so replicas
/// starting together queue up and only the first one migrates). Same shape as <see cref="SqliteOrderSchema"/>; times are
/// timestamptz (microseconds), JSON is jsonb, ids use the "C" collation so ordering is byte-wise as in SQLite.
/// Append new steps at the end; never edit a released one.
/// </summary>
internal static class PostgresOrderSchema
{
    public const string Component = "orders";

    /// <summary>The channel the stores NOTIFY, with the order id, in each transaction that writes an outbox event (it wakes watchers and drops the order from the replicas' read caches).</summary>
    public const string EventChannel = "grpcmesh_order_events";

    public static IReadOnlyList<string> Migrations { get; } =
    [
        // 1: orders, their sagas and the outbox.
        """
        CREATE TABLE orders (
            id            text COLLATE "C" NOT NULL PRIMARY KEY,
            request_id    text COLLATE "C" NOT NULL CONSTRAINT ux_orders_request_id UNIQUE,
            user_id       text COLLATE "C" NOT NULL,
            currency      text        NOT NULL,
            total_minor   bigint      NOT NULL CHECK (total_minor >= 0),
            lines_json    jsonb       NOT NULL,
            state         text        NOT NULL CHECK (state IN ('Pending', 'Confirmed', 'Rejected', 'Cancelled')),
            state_reason  text        NOT NULL DEFAULT '',
            create_time   timestamptz NOT NULL,
            update_time   timestamptz NOT NULL
        );
        CREATE INDEX ix_orders_user_newest ON orders (user_id, create_time DESC, id DESC);

        CREATE TABLE order_sagas (
            order_id        text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES orders (id),
            reservation_id  text COLLATE "C" NOT NULL,
            step            text        NOT NULL,
            attempts        integer     NOT NULL DEFAULT 0,
            next_attempt_at timestamptz,
            last_error      text,
            started_at      timestamptz NOT NULL,
            updated_at      timestamptz NOT NULL
        );
        CREATE INDEX ix_order_sagas_releasing ON order_sagas (next_attempt_at) WHERE step = 'Releasing';
        CREATE INDEX ix_order_sagas_reserving ON order_sagas (started_at) WHERE step = 'Reserving';

        CREATE TABLE order_events (
            sequence       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            order_id       text COLLATE "C" NOT NULL REFERENCES orders (id),
            user_id        text COLLATE "C" NOT NULL,
            type           text        NOT NULL,
            event_time     timestamptz NOT NULL,
            snapshot_json  jsonb       NOT NULL
        );
        CREATE INDEX ix_order_events_user ON order_events (user_id, sequence);
        """,
    ];

    public static int LatestVersion => Migrations.Count;

    public static Task<int> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        PostgresSchemaMigrator.MigrateAsync(dataSource, Component, Migrations, LatestVersion, cancellationToken);
}

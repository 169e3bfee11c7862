using GrpcMesh.Storage;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// The orders.db schema as ordered migration steps; <c>PRAGMA user_version</c> records how many have been applied
/// (see <see cref="SqliteSchemaMigrator"/>). Append new steps at the end; never edit a released one.
/// </summary>
internal static class SqliteOrderSchema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE orders (
            id            TEXT    NOT NULL PRIMARY KEY,
            request_id    TEXT    NOT NULL UNIQUE,
            user_id       TEXT    NOT NULL,
            currency      TEXT    NOT NULL,
            total_minor   INTEGER NOT NULL,
            lines_json    TEXT    NOT NULL,
            state         TEXT    NOT NULL,
            state_reason  TEXT    NOT NULL DEFAULT '',
            create_time   INTEGER NOT NULL,
            update_time   INTEGER NOT NULL
        );
        CREATE INDEX ix_orders_user_newest ON orders (user_id, create_time DESC, id DESC);

        CREATE TABLE order_sagas (
            order_id        TEXT    NOT NULL PRIMARY KEY REFERENCES orders (id),
            reservation_id  TEXT    NOT NULL,
            step            TEXT    NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_error      TEXT,
            started_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        );
        CREATE INDEX ix_order_sagas_step ON order_sagas (step, next_attempt_at);

        CREATE TABLE order_events (
            sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
            order_id       TEXT    NOT NULL REFERENCES orders (id),
            user_id        TEXT    NOT NULL,
            type           TEXT    NOT NULL,
            event_time     INTEGER NOT NULL,
            snapshot_json  TEXT    NOT NULL
        );
        CREATE INDEX ix_order_events_user ON order_events (user_id, sequence);
        """,
    ];

    public static int LatestVersion => Migrations.Count;

    /// <summary>Applies the missing steps; returns the version the file had before.</summary>
    public static Task<int> MigrateAsync(SqliteConnectionFactory connections, CancellationToken cancellationToken) =>
        SqliteSchemaMigrator.MigrateAsync(connections, Migrations, LatestVersion, cancellationToken);
}

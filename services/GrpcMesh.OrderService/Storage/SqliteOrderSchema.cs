using Microsoft.Data.Sqlite;

namespace GrpcMesh.OrderService.Storage;

/// <summary>Schema migrations, tracked in <c>PRAGMA user_version</c>; each runs in its own transaction.</summary>
internal static class SqliteOrderSchema
{
    private static readonly string[] Migrations =
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

    public static void Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        var version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = version; i < Migrations.Length; i++)
        {
            Execute(connection, transaction, Migrations[i]);
            Execute(connection, transaction, $"PRAGMA user_version = {i + 1};");
        }

        transaction.Commit();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

using GrpcMesh.Storage;
using Npgsql;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// The UserService tables in PostgreSQL as ordered migration steps, recorded as component <see cref="Component"/> in
/// <c>schema_version</c> (see <see cref="PostgresSchemaMigrator"/>). Same shape as <see cref="SqliteUserSchema"/>: money
/// as bigint cents next to the currency, times as timestamptz (microseconds). Ids and keys use the "C" collation, so
/// ordering and equality are byte-wise as in SQLite and C#, whatever the database's locale. Emails are unique among
/// live users on <c>email_key</c>, computed by <c>UserAccount.EmailKey</c> for the same case folding in both stores.
/// Append new steps at the end; never edit a released one.
/// </summary>
internal static class PostgresUserSchema
{
    public const string Component = "users";

    /// <summary>The channel migration 3's triggers NOTIFY with the id of a user whose row or reservations changed.</summary>
    public const string ChangeChannel = "grpcmesh_user_changed";

    public static IReadOnlyList<string> Migrations { get; } =
    [
        // 1: users.
        """
        CREATE TABLE users (
            id                  text COLLATE "C" NOT NULL PRIMARY KEY,
            email               text        NOT NULL,
            email_key           text COLLATE "C" NOT NULL,
            display_name        text        NOT NULL,
            credit_currency     text        NOT NULL,
            credit_limit_cents  bigint      NOT NULL CHECK (credit_limit_cents >= 0),
            status              text        NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DELETED')),
            version             bigint      NOT NULL,
            request_id          text COLLATE "C" CONSTRAINT ux_users_request_id UNIQUE,
            request_fingerprint text,
            create_time         timestamptz NOT NULL,
            update_time         timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX ux_users_live_email_key ON users (email_key) WHERE status <> 'DELETED';
        """,

        // 2: credit reservations; the partial index covers the "sum of active reservations" query.
        """
        CREATE TABLE credit_reservations (
            reservation_id text COLLATE "C" NOT NULL PRIMARY KEY,
            user_id        text COLLATE "C" NOT NULL REFERENCES users (id),
            currency       text        NOT NULL,
            amount_cents   bigint      NOT NULL CHECK (amount_cents > 0),
            status         text        NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')),
            create_time    timestamptz NOT NULL,
            update_time    timestamptz NOT NULL
        );
        CREATE INDEX ix_credit_reservations_active ON credit_reservations (user_id) INCLUDE (amount_cents) WHERE status = 'RESERVED';
        """,

        // 3: change notifications for the replicas' read caches (UserChangeListener), from every writer, delivered at commit;
        // the argument names the column that holds the user id.
        """
        CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('grpcmesh_user_changed', to_jsonb(NEW) ->> TG_ARGV[0]);
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER users_changed AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION notify_user_changed('id');
        CREATE TRIGGER credit_reservations_changed AFTER INSERT OR UPDATE ON credit_reservations
            FOR EACH ROW EXECUTE FUNCTION notify_user_changed('user_id');
        """,
    ];

    public static int LatestVersion => Migrations.Count;

    public static Task<int> MigrateAsync(NpgsqlDataSource dataSource, int targetVersion, CancellationToken cancellationToken) =>
        PostgresSchemaMigrator.MigrateAsync(dataSource, Component, Migrations, targetVersion, cancellationToken);
}

using GrpcMesh.Storage;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// The users.db schema as ordered migration steps; <c>PRAGMA user_version</c> records how many have been applied
/// (see <see cref="SqliteSchemaMigrator"/>).
/// Money is stored as integer cents (<c>*_cents</c>) next to its currency code; times as Unix microseconds (<c>*_us</c>).
/// Append new steps at the end; never edit a released one.
/// </summary>
internal static class SqliteUserSchema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        // 1: users. Emails are unique among live users, compared on the lower-cased email_key.
        """
        CREATE TABLE users (
            id                  TEXT    NOT NULL PRIMARY KEY,
            email               TEXT    NOT NULL,
            email_key           TEXT    NOT NULL,
            display_name        TEXT    NOT NULL,
            credit_currency     TEXT    NOT NULL,
            credit_limit_cents  INTEGER NOT NULL CHECK (credit_limit_cents >= 0),
            status              TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DELETED')),
            version             INTEGER NOT NULL,
            request_id          TEXT    UNIQUE,
            request_fingerprint TEXT,
            create_time_us      INTEGER NOT NULL,
            update_time_us      INTEGER NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX ux_users_live_email_key ON users (email_key) WHERE status <> 'DELETED';
        """,

        // 2: credit reservations; the partial index covers the "sum of active reservations" query.
        """
        CREATE TABLE credit_reservations (
            reservation_id TEXT    NOT NULL PRIMARY KEY,
            user_id        TEXT    NOT NULL REFERENCES users (id),
            currency       TEXT    NOT NULL,
            amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
            status         TEXT    NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')),
            create_time_us INTEGER NOT NULL,
            update_time_us INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX ix_credit_reservations_active ON credit_reservations (user_id, amount_cents) WHERE status = 'RESERVED';
        """,
    ];

    public static int LatestVersion => Migrations.Count;

    /// <summary>Applies the missing steps up to <paramref name="targetVersion"/>; returns the version the file had before.</summary>
    public static Task<int> MigrateAsync(SqliteConnectionFactory connections, int targetVersion, CancellationToken cancellationToken) =>
        SqliteSchemaMigrator.MigrateAsync(connections, Migrations, targetVersion, cancellationToken);
}

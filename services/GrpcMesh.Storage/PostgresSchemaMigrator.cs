using System.Globalization;
using Npgsql;

namespace GrpcMesh.Storage;

/// <summary>
/// Applies ordered migration steps for one component (e.g. <c>users</c>, <c>orders</c>) of a PostgreSQL database and
/// records the applied count in <c>schema_version</c>. The whole migration is one transaction holding a
/// transaction-level advisory lock, so replicas starting together against an empty database queue up: the first one
/// migrates, the others then find the schema current. DDL is transactional in PostgreSQL, so a failed step leaves
/// nothing behind.
/// </summary>
public static class PostgresSchemaMigrator
{
    /// <summary>One key for every component: they share the <c>schema_version</c> table, which must be created once.</summary>
    public const long AdvisoryLockKey = 0x4772_7063_4D65_7368; // "GrpcMesh"

    /// <summary>Migrates <paramref name="component"/> to <paramref name="targetVersion"/>; returns the version it had before.</summary>
    public static async Task<int> MigrateAsync(
        NpgsqlDataSource dataSource, string component, IReadOnlyList<string> migrations, int targetVersion, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetVersion, migrations.Count);
        using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1)", cancellationToken, AdvisoryLockKey).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                component   text        NOT NULL PRIMARY KEY,
                version     integer     NOT NULL CHECK (version >= 0),
                update_time timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken).ConfigureAwait(false);

        var current = await GetVersionAsync(connection, transaction, component, cancellationToken).ConfigureAwait(false);
        if (current > migrations.Count)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{PostgresDataSources.Describe(dataSource)} has {component} schema version {current}, newer than the {migrations.Count} this build knows; run a newer build or restore a matching backup"));
        }

        for (var version = current + 1; version <= targetVersion; version++)
        {
            await ExecuteAsync(connection, transaction, migrations[version - 1], cancellationToken).ConfigureAwait(false);
        }

        if (targetVersion > current)
        {
            await ExecuteAsync(connection, transaction, """
                INSERT INTO schema_version (component, version) VALUES ($1, $2)
                ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, update_time = now()
                """, cancellationToken, component, targetVersion).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return current;
    }

    /// <summary>The applied version of <paramref name="component"/>; 0 when it has none (or, outside a transaction, when there is no schema_version table yet).</summary>
    public static async Task<int> GetVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string component, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(
            "SELECT version FROM schema_version WHERE component = $1", connection, transaction) { Parameters = { new() { Value = component } } };
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable && transaction is null)
        {
            return 0;
        }
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

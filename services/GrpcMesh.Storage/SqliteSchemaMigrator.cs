using System.Globalization;
using Microsoft.Data.Sqlite;

namespace GrpcMesh.Storage;

/// <summary>
/// Applies ordered migration steps to one SQLite file and records the applied count in <c>PRAGMA user_version</c>. The
/// whole migration is one write transaction (BEGIN IMMEDIATE), so two processes starting together cannot both migrate.
/// </summary>
public static class SqliteSchemaMigrator
{
    /// <summary>Migrates the file to <paramref name="targetVersion"/>; returns the version it had before.</summary>
    public static async Task<int> MigrateAsync(
        SqliteConnectionFactory connections, IReadOnlyList<string> migrations, int targetVersion, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetVersion, migrations.Count);
        using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction();

        var current = await GetVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (current > migrations.Count)
        {
            throw new InvalidOperationException(
                $"{connections.DatabasePath} has schema version {current}, newer than the {migrations.Count} this build knows; run a newer build or restore a matching backup");
        }

        for (var version = current + 1; version <= targetVersion; version++)
        {
            await ExecuteAsync(connection, transaction, migrations[version - 1], cancellationToken).ConfigureAwait(false);
        }

        if (targetVersion > current)
        {
            await ExecuteAsync(connection, transaction,
                string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {targetVersion};"), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return current;
    }

    public static async Task<int> GetVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

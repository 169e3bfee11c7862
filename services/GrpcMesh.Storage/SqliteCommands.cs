using Microsoft.Data.Sqlite;

namespace GrpcMesh.Storage;

public static class SqliteCommands
{
    /// <summary>A command on <paramref name="connection"/> in <paramref name="transaction"/> with named parameters (null → SQL NULL).</summary>
    public static SqliteCommand Create(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
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

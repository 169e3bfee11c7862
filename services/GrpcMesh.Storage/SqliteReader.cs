using Microsoft.Data.Sqlite;

namespace GrpcMesh.Storage;

/// <summary>An open connection rented from a <see cref="SqliteReaderPool"/>, with its prepared commands; dispose to return it.</summary>
public sealed class SqliteReader : IDisposable
{
    private readonly SqliteReaderPool _pool;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private bool _broken;

    internal SqliteReader(SqliteReaderPool pool, SqliteConnection connection)
    {
        _pool = pool;
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>
    /// The command for <paramref name="sql"/> on this connection, prepared the first time; its parameters are
    /// cleared, ready for this run's values.
    /// </summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            command.Prepare();
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        return command;
    }

    /// <summary>Closes the connection instead of pooling it when it is disposed (call after a failure).</summary>
    public void Discard() => _broken = true;

    public void Dispose()
    {
        if (_broken)
        {
            Close();
        }
        else
        {
            _pool.Return(this);
        }
    }

    internal void Close()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}

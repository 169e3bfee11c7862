using MeshSample.V1;
using Microsoft.Data.Sqlite;

namespace MeshSample;

/// <summary>Items in one SQLite file, <c>meshsample.db</c> under <c>Storage:DataDirectory</c> (default <c>data</c>).</summary>
public sealed class ItemStore
{
    private readonly string _connectionString;

    public ItemStore(IConfiguration configuration)
    {
        var directory = Path.GetFullPath(configuration["Storage:DataDirectory"] ?? "data");
        Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "meshsample.db"), Pooling = true }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS items (
                item_id TEXT PRIMARY KEY, owner_user_id TEXT NOT NULL, name TEXT NOT NULL, quantity INTEGER NOT NULL);
            """;
        command.ExecuteNonQuery();
    }

    public async Task<Item?> GetAsync(string itemId, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner_user_id, name, quantity FROM items WHERE item_id = $id";
        command.Parameters.AddWithValue("$id", itemId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Item { ItemId = itemId, OwnerUserId = reader.GetString(0), Name = reader.GetString(1), Quantity = reader.GetInt32(2) }
            : null;
    }

    public async Task PutAsync(Item item, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO items (item_id, owner_user_id, name, quantity) VALUES ($id, $owner, $name, $quantity)
            ON CONFLICT (item_id) DO UPDATE SET owner_user_id = $owner, name = $name, quantity = $quantity
            """;
        command.Parameters.AddWithValue("$id", item.ItemId);
        command.Parameters.AddWithValue("$owner", item.OwnerUserId);
        command.Parameters.AddWithValue("$name", item.Name);
        command.Parameters.AddWithValue("$quantity", item.Quantity);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}

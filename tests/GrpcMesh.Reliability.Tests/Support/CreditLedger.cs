using GrpcMesh.UserService.Storage;
using Microsoft.Data.Sqlite;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>
/// Reads UserService's credit reservations straight from its SQLite file (read-only, beside the live service: WAL
/// allows it), so a test can check every order against the reservation made for it (reservation id = order id).
/// </summary>
internal static class CreditLedger
{
    /// <summary>reservation id → status (<c>RESERVED</c> or <c>RELEASED</c>).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReservationsAsync(string userServiceDataDirectory)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(userServiceDataDirectory, UserStorageRegistration.SqliteFileName),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        await using var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT reservation_id, status FROM credit_reservations";
        var reservations = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            reservations[reader.GetString(0)] = reader.GetString(1);
        }

        return reservations;
    }
}

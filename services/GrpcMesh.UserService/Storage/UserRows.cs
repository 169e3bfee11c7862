using System.Data.Common;
using GrpcMesh.Domain;
using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// Row mapping and column codes shared by the SQLite and PostgreSQL stores. Both select a user as
/// <c>id, email, display_name, credit_currency, credit_limit_cents, status, version, create_time, update_time, reserved_cents</c>
/// and a reservation as <c>reservation_id, user_id, currency, amount_cents, status, create_time, update_time</c>.
/// Times are Unix microseconds (SQLite INTEGER) or timestamptz (PostgreSQL); both hold microseconds exactly.
/// </summary>
internal static class UserRows
{
    public const string Deleted = "DELETED";
    public const string Reserved = "RESERVED";

    public static UserAccount ReadUser(DbDataReader reader) =>
        new(
            Id: reader.GetString(0),
            Email: reader.GetString(1),
            DisplayName: reader.GetString(2),
            CreditLimit: new Money(reader.GetString(3), reader.GetInt64(4)),
            ReservedCents: reader.GetInt64(9),
            Status: ParseAccountStatus(reader.GetString(5)),
            Version: reader.GetInt64(6),
            CreateTime: ReadTime(reader, 7),
            UpdateTime: ReadTime(reader, 8));

    /// <summary>
    /// Runs a page query that asked for <paramref name="pageSize"/> + 1 rows: the extra row only tells that another
    /// page follows, which then continues after the last user returned.
    /// </summary>
    public static async Task<UserPage> ReadPageAsync(DbCommand command, int pageSize, CancellationToken cancellationToken)
    {
        var users = new List<UserAccount>(pageSize + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                users.Add(ReadUser(reader));
            }
        }

        if (users.Count <= pageSize)
        {
            return new UserPage(users, NextAfterId: null);
        }

        users.RemoveAt(users.Count - 1);
        return new UserPage(users, users[^1].Id);
    }

    public static CreditReservation ReadReservation(DbDataReader reader) =>
        new(
            ReservationId: reader.GetString(0),
            UserId: reader.GetString(1),
            Amount: new Money(reader.GetString(2), reader.GetInt64(3)),
            State: ParseReservationState(reader.GetString(4)),
            CreateTime: ReadTime(reader, 5),
            UpdateTime: ReadTime(reader, 6));

    public static string ToColumn(AccountStatus status) => status switch
    {
        AccountStatus.Active => "ACTIVE",
        AccountStatus.Suspended => "SUSPENDED",
        AccountStatus.Deleted => Deleted,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToColumn(ReservationState state) => state switch
    {
        ReservationState.Reserved => Reserved,
        ReservationState.Released => "RELEASED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static AccountStatus ParseAccountStatus(string value) => value switch
    {
        "ACTIVE" => AccountStatus.Active,
        "SUSPENDED" => AccountStatus.Suspended,
        Deleted => AccountStatus.Deleted,
        _ => throw new InvalidDataException($"unknown user status '{value}' in the users store"),
    };

    private static ReservationState ParseReservationState(string value) => value switch
    {
        Reserved => ReservationState.Reserved,
        "RELEASED" => ReservationState.Released,
        _ => throw new InvalidDataException($"unknown reservation status '{value}' in the users store"),
    };

    private static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(long)
            ? Timestamps.FromUnixMicroseconds(reader.GetInt64(ordinal))
            : reader.GetFieldValue<DateTimeOffset>(ordinal);
}

namespace GrpcMesh.UserService.Tests.Support;

internal static class Requests
{
    public static Money Usd(long units, int nanos = 0) => Amount("USD", units, nanos);

    public static Money Amount(string currency, long units, int nanos = 0) =>
        new() { CurrencyCode = currency, Units = units, Nanos = nanos };

    public static string UniqueEmail() => $"user-{Guid.NewGuid():N}@example.com";

    public static CreateUserRequest NewUser(string? email = null, Money? creditLimit = null, string requestId = "") => new()
    {
        Email = email ?? UniqueEmail(),
        DisplayName = "Ada Lovelace",
        CreditLimit = creditLimit ?? Usd(100),
        RequestId = requestId,
    };

    public static UpdateUserRequest Update(ProtoUser user, params string[] paths) =>
        new() { User = user, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { paths } } };

    public static ReserveCreditRequest Reserve(string userId, Money amount, string? reservationId = null) => new()
    {
        UserId = userId,
        ReservationId = reservationId ?? "res_" + Guid.NewGuid().ToString("N"),
        Amount = amount,
    };
}

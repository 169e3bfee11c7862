
namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>ReserveCredit request validation (answered before the store is touched, so it runs on SQLite only).</summary>
public sealed class ReserveCreditValidationTests() : UserServiceTest(new SqliteStorage())
{
    public static TheoryData<string, ReserveCreditRequest> InvalidRequests => new()
    {
        { "user_id", new ReserveCreditRequest { ReservationId = "r1", Amount = Requests.Usd(1) } },
        { "user_id", new ReserveCreditRequest { UserId = "usr x", ReservationId = "r1", Amount = Requests.Usd(1) } },
        { "reservation_id", new ReserveCreditRequest { UserId = "usr_a", Amount = Requests.Usd(1) } },
        { "reservation_id", new ReserveCreditRequest { UserId = "usr_a", ReservationId = new string('r', 65), Amount = Requests.Usd(1) } },
        { "reservation_id", new ReserveCreditRequest { UserId = "usr_a", ReservationId = "order#1", Amount = Requests.Usd(1) } },
        { "amount", new ReserveCreditRequest { UserId = "usr_a", ReservationId = "r1" } },
        { "amount", new ReserveCreditRequest { UserId = "usr_a", ReservationId = "r1", Amount = Requests.Usd(0) } },
        { "amount.units", new ReserveCreditRequest { UserId = "usr_a", ReservationId = "r1", Amount = Requests.Usd(-1) } },
        { "amount.nanos", new ReserveCreditRequest { UserId = "usr_a", ReservationId = "r1", Amount = Requests.Usd(0, 1) } },
        { "amount.currency_code", new ReserveCreditRequest { UserId = "usr_a", ReservationId = "r1", Amount = Requests.Amount("$$$", 1) } },
    };

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(InvalidRequests))]
    public async Task ReserveCredit_InvalidRequest_OneViolationOnThatField(string field, ReserveCreditRequest request) =>
        await RpcAssert.InvalidArgumentAsync(() => Client.ReserveCreditAsync(request, cancellationToken: Ct), field);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_SeveralBadFields_OneViolationEach() =>
        await RpcAssert.InvalidArgumentAsync(
            () => Client.ReserveCreditAsync(new ReserveCreditRequest { ReservationId = "bad id", Amount = Requests.Amount("usd", 0, 5) }, cancellationToken: Ct),
            "user_id", "reservation_id", "amount.currency_code", "amount.nanos");
}

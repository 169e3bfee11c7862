
namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>ReleaseCredit request validation (answered before the store is touched, so it runs on SQLite only).</summary>
public sealed class ReleaseCreditValidationTests() : UserServiceTest(new SqliteStorage())
{
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("")]
    [InlineData("has space")]
    public async Task ReleaseCredit_MissingOrMalformedId_InvalidArgument(string reservationId) =>
        await RpcAssert.InvalidArgumentAsync(
            () => Client.ReleaseCreditAsync(new ReleaseCreditRequest { ReservationId = reservationId }, cancellationToken: Ct), "reservation_id");
}

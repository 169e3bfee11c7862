
namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>GetUser request validation (answered before the store is touched, so it runs on SQLite only).</summary>
public sealed class GetUserValidationTests() : UserServiceTest(new SqliteStorage())
{
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("")]
    [InlineData("usr bad")]
    [InlineData("usr/../etc")]
    public async Task GetUser_MissingOrMalformedId_InvalidArgument(string userId) =>
        await RpcAssert.InvalidArgumentAsync(() => Client.GetUserAsync(new GetUserRequest { UserId = userId }, cancellationToken: Ct), "user_id");
}


namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>DeleteUser request validation (answered before the store is touched, so it runs on SQLite only).</summary>
public sealed class DeleteUserValidationTests() : UserServiceTest(new SqliteStorage())
{
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("")]
    [InlineData("no spaces allowed")]
    public async Task DeleteUser_MissingOrMalformedId_InvalidArgument(string userId) =>
        await RpcAssert.InvalidArgumentAsync(
            () => Client.DeleteUserAsync(new DeleteUserRequest { UserId = userId }, cancellationToken: Ct), "user_id");
}

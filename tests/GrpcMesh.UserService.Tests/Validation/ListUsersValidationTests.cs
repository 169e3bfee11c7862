using System.Buffers.Text;
using System.Text;

namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>ListUsers request validation (answered before the store is touched, so it runs on SQLite only).</summary>
public sealed class ListUsersValidationTests() : UserServiceTest(new SqliteStorage())
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_TokenWithOtherShowDeleted_InvalidArgument()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateUserAsync();
        }

        var first = await Client.ListUsersAsync(new ListUsersRequest { PageSize = 1 }, cancellationToken: Ct);

        await RpcAssert.InvalidArgumentAsync(() => Client.ListUsersAsync(
            new ListUsersRequest { PageSize = 1, PageToken = first.NextPageToken, ShowDeleted = true }, cancellationToken: Ct), "page_token");
    }

    public static TheoryData<string> MalformedTokens => new()
    {
        "not base64url!",
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("just some bytes")),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("p1\nshow_deleted=false\nbad id")),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("p9\nshow_deleted=false\nusr_x")),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("v1:0:usr_x")),
        "====",
    };

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(MalformedTokens))]
    public async Task ListUsers_MalformedPageToken_InvalidArgument(string token) =>
        await RpcAssert.InvalidArgumentAsync(
            () => Client.ListUsersAsync(new ListUsersRequest { PageToken = token }, cancellationToken: Ct), "page_token");

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(-1)]
    [InlineData(1001)]
    [InlineData(int.MinValue)]
    public async Task ListUsers_PageSizeOutOfRange_InvalidArgument(int pageSize) =>
        await RpcAssert.InvalidArgumentAsync(
            () => Client.ListUsersAsync(new ListUsersRequest { PageSize = pageSize }, cancellationToken: Ct), "page_size");

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_BadPageSizeAndBadToken_TwoViolations() =>
        await RpcAssert.InvalidArgumentAsync(
            () => Client.ListUsersAsync(new ListUsersRequest { PageSize = 5000, PageToken = "%%" }, cancellationToken: Ct),
            "page_size", "page_token");
}

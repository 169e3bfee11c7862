
namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>GetUser behaviour that depends on the store; runs once per storage provider.</summary>
public abstract class GetUserContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_Existing_ReturnsIt()
    {
        var created = await CreateUserAsync();

        Assert.Equal(created, await GetUserAsync(created.Id));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_Unknown_NotFound()
    {
        var ex = await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => Client.GetUserAsync(new GetUserRequest { UserId = "usr_0000000000000000000000000000dead" }, cancellationToken: Ct));

        var info = ex.GetRpcStatus()?.GetDetail<ResourceInfo>();
        Assert.Equal("usr_0000000000000000000000000000dead", info?.ResourceName);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_Deleted_ReturnsDeletedUser()
    {
        var created = await CreateUserAsync();
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = created.Id }, cancellationToken: Ct);

        var user = await GetUserAsync(created.Id);

        Assert.Equal(UserStatus.Deleted, user.Status);
        Assert.Equal(created.Email, user.Email);
    }
}

using Google.Protobuf.WellKnownTypes;

namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>CreateUser behaviour that depends on the store; runs once per storage provider.</summary>
public abstract class CreateUserContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_ValidRequest_ReturnsActiveUserWithServerFields()
    {
        var response = await Client.CreateUserAsync(new CreateUserRequest
        {
            Email = "Ada@Example.com",
            DisplayName = "Ada Lovelace",
            CreditLimit = Requests.Usd(250, 500_000_000),
        }, cancellationToken: Ct);

        var user = response.User;
        Assert.Matches("^usr_[0-9a-f]{32}$", user.Id);
        Assert.Equal("Ada@Example.com", user.Email);
        Assert.Equal("Ada Lovelace", user.DisplayName);
        Assert.Equal(Requests.Usd(250, 500_000_000), user.CreditLimit);
        Assert.Equal(Requests.Usd(250, 500_000_000), user.AvailableCredit);
        Assert.Equal(UserStatus.Active, user.Status);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start), user.CreateTime);
        Assert.Equal(user.CreateTime, user.UpdateTime);
        Assert.False(string.IsNullOrEmpty(user.Etag));
        Assert.Equal(user, await GetUserAsync(user.Id));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_ZeroCreditLimit_Succeeds()
    {
        var user = await CreateUserAsync(Requests.Usd(0));

        Assert.Equal(Requests.Usd(0), user.AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_DuplicateEmailOtherCase_AlreadyExists()
    {
        await CreateUserAsync(email: "grace@example.com");

        var ex = await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => Client.CreateUserAsync(Requests.NewUser("GRACE@example.COM"), cancellationToken: Ct));

        Assert.Contains("GRACE@example.COM", ex.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(ex.GetRpcStatus()?.GetDetail<ResourceInfo>());
        Assert.Single(await ListAllAsync());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_EmailOfDeletedUser_Succeeds()
    {
        var first = await CreateUserAsync(email: "reuse@example.com");
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = first.Id }, cancellationToken: Ct);

        var second = await CreateUserAsync(email: "Reuse@example.com");

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(UserStatus.Active, second.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_ReplaySameRequestId_ReturnsOriginalUser()
    {
        var request = Requests.NewUser(requestId: "create-1");
        var first = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;

        var replay = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;

        Assert.Equal(first, replay);
        Assert.Single(await ListAllAsync());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_ReplayAfterUpdate_ReturnsCurrentStateOfOriginalUser()
    {
        var request = Requests.NewUser(requestId: "create-2");
        var first = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;
        await Client.UpdateUserAsync(new UpdateUserRequest
        {
            User = new ProtoUser { Id = first.Id, DisplayName = "Renamed" },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }, cancellationToken: Ct);

        var replay = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;

        Assert.Equal(first.Id, replay.Id);
        Assert.Equal("Renamed", replay.DisplayName);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_SameRequestIdDifferentEmail_AlreadyExists()
    {
        await Client.CreateUserAsync(Requests.NewUser(requestId: "create-3"), cancellationToken: Ct);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => Client.CreateUserAsync(Requests.NewUser(requestId: "create-3"), cancellationToken: Ct));

        Assert.Contains("request_id", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Single(await ListAllAsync());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_SameRequestIdDifferentCreditLimit_AlreadyExists()
    {
        var request = Requests.NewUser(requestId: "create-4");
        await Client.CreateUserAsync(request, cancellationToken: Ct);
        request.CreditLimit = Requests.Usd(999);

        await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists, () => Client.CreateUserAsync(request, cancellationToken: Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_MaxValues_Accepted()
    {
        var request = Requests.NewUser(creditLimit: Requests.Usd(1_000_000_000_000_000, 990_000_000));
        request.DisplayName = new string('x', 100);

        var user = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;

        Assert.Equal(request.CreditLimit, user.AvailableCredit);
    }
}

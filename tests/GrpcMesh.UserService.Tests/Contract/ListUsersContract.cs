
namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>ListUsers behaviour that depends on the store; runs once per storage provider.</summary>
public abstract class ListUsersContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_25UsersPageSize10_ThreePagesInCreationOrder()
    {
        var created = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            created.Add((await CreateUserAsync()).Id);
        }

        var pages = new List<ListUsersResponse>();
        var token = "";
        do
        {
            var page = await Client.ListUsersAsync(new ListUsersRequest { PageSize = 10, PageToken = token }, cancellationToken: Ct);
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && pages.Count < 10);

        Assert.Equal([10, 10, 5], pages.Select(p => p.Users.Count));
        Assert.Equal(created, pages.SelectMany(p => p.Users).Select(u => u.Id));
        Assert.Equal("", pages[^1].NextPageToken);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_ExactMultipleOfPageSize_LastPageHasNoToken()
    {
        for (var i = 0; i < 4; i++)
        {
            await CreateUserAsync();
        }

        var first = await Client.ListUsersAsync(new ListUsersRequest { PageSize = 2 }, cancellationToken: Ct);
        var second = await Client.ListUsersAsync(new ListUsersRequest { PageSize = 2, PageToken = first.NextPageToken }, cancellationToken: Ct);

        Assert.NotEqual("", first.NextPageToken);
        Assert.Equal(2, second.Users.Count);
        Assert.Equal("", second.NextPageToken);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_Empty_NoUsersNoToken()
    {
        var page = await Client.ListUsersAsync(new ListUsersRequest(), cancellationToken: Ct);

        Assert.Empty(page.Users);
        Assert.Equal("", page.NextPageToken);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_PageSizeZero_DefaultsTo50()
    {
        for (var i = 0; i < 51; i++)
        {
            await CreateUserAsync();
        }

        var page = await Client.ListUsersAsync(new ListUsersRequest { PageSize = 0 }, cancellationToken: Ct);

        Assert.Equal(50, page.Users.Count);
        Assert.NotEqual("", page.NextPageToken);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_ShowDeleted_IncludesDeletedUsersOtherwiseNot()
    {
        var users = new List<ProtoUser>();
        for (var i = 0; i < 5; i++)
        {
            users.Add(await CreateUserAsync());
        }

        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = users[1].Id }, cancellationToken: Ct);
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = users[3].Id }, cancellationToken: Ct);

        var live = await ListAllAsync(pageSize: 2);
        var all = await ListAllAsync(showDeleted: true, pageSize: 2);

        Assert.Equal([users[0].Id, users[2].Id, users[4].Id], live.Select(u => u.Id));
        Assert.Equal(users.Select(u => u.Id), all.Select(u => u.Id));
        Assert.Equal(2, all.Count(u => u.Status == UserStatus.Deleted));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_PageSize1000_Accepted()
    {
        await CreateUserAsync();

        var page = await Client.ListUsersAsync(new ListUsersRequest { PageSize = 1000 }, cancellationToken: Ct);

        Assert.Single(page.Users);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListUsers_ShowsAvailableCredit()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(30, 250_000_000));

        var listed = Assert.Single(await ListAllAsync());

        Assert.Equal(Requests.Usd(69, 750_000_000), listed.AvailableCredit);
    }
}

using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.UserService.Tests;

public sealed class CreateUserTests() : UserServiceTest(Clock)
{
    private static readonly DateTimeOffset Start = new(2030, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);

    private static FakeTimeProvider Clock => new(Start);

    [Fact]
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

    [Fact]
    public async Task CreateUser_ZeroCreditLimit_Succeeds()
    {
        var user = await CreateUserAsync(Requests.Usd(0));

        Assert.Equal(Requests.Usd(0), user.AvailableCredit);
    }

    [Fact]
    public async Task CreateUser_DuplicateEmailOtherCase_AlreadyExists()
    {
        await CreateUserAsync(email: "grace@example.com");

        var ex = await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => Client.CreateUserAsync(Requests.NewUser("GRACE@example.COM"), cancellationToken: Ct));

        Assert.Contains("GRACE@example.COM", ex.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(ex.GetRpcStatus()?.GetDetail<ResourceInfo>());
        Assert.Single(await ListAllAsync());
    }

    [Fact]
    public async Task CreateUser_EmailOfDeletedUser_Succeeds()
    {
        var first = await CreateUserAsync(email: "reuse@example.com");
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = first.Id }, cancellationToken: Ct);

        var second = await CreateUserAsync(email: "Reuse@example.com");

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(UserStatus.Active, second.Status);
    }

    [Fact]
    public async Task CreateUser_ReplaySameRequestId_ReturnsOriginalUser()
    {
        var request = Requests.NewUser(requestId: "create-1");
        var first = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;

        var replay = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;

        Assert.Equal(first, replay);
        Assert.Single(await ListAllAsync());
    }

    [Fact]
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

    [Fact]
    public async Task CreateUser_SameRequestIdDifferentEmail_AlreadyExists()
    {
        await Client.CreateUserAsync(Requests.NewUser(requestId: "create-3"), cancellationToken: Ct);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => Client.CreateUserAsync(Requests.NewUser(requestId: "create-3"), cancellationToken: Ct));

        Assert.Contains("request_id", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Single(await ListAllAsync());
    }

    [Fact]
    public async Task CreateUser_SameRequestIdDifferentCreditLimit_AlreadyExists()
    {
        var request = Requests.NewUser(requestId: "create-4");
        await Client.CreateUserAsync(request, cancellationToken: Ct);
        request.CreditLimit = Requests.Usd(999);

        await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists, () => Client.CreateUserAsync(request, cancellationToken: Ct));
    }

    public static TheoryData<string, Action<CreateUserRequest>> InvalidRequests => new()
    {
        { "email", r => r.Email = "" },
        { "email", r => r.Email = "not-an-email" },
        { "email", r => r.Email = new string('a', 250) + "@example.com" },
        { "display_name", r => r.DisplayName = "" },
        { "display_name", r => r.DisplayName = "   " },
        { "display_name", r => r.DisplayName = new string('x', 101) },
        { "display_name", r => r.DisplayName = "bell\u0007name" },
        { "credit_limit", r => r.CreditLimit = null },
        { "credit_limit.currency_code", r => r.CreditLimit.CurrencyCode = "usd" },
        { "credit_limit.currency_code", r => r.CreditLimit.CurrencyCode = "" },
        { "credit_limit.currency_code", r => r.CreditLimit.CurrencyCode = "EURO" },
        { "credit_limit.units", r => r.CreditLimit.Units = -1 },
        { "credit_limit.units", r => r.CreditLimit.Units = 1_000_000_000_000_001 },
        { "credit_limit.nanos", r => r.CreditLimit.Nanos = 5 },
        { "credit_limit.nanos", r => r.CreditLimit.Nanos = -10_000_000 },
        { "credit_limit.nanos", r => r.CreditLimit.Nanos = 1_000_000_000 },
        { "request_id", r => r.RequestId = "has space" },
        { "request_id", r => r.RequestId = new string('k', 65) },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task CreateUser_InvalidField_OneViolationOnThatField(string field, Action<CreateUserRequest> corrupt)
    {
        var request = Requests.NewUser(requestId: "valid-key_1");
        corrupt(request);

        await RpcAssert.InvalidArgumentAsync(() => Client.CreateUserAsync(request, cancellationToken: Ct), field);
        Assert.Empty(await ListAllAsync());
    }

    [Fact]
    public async Task CreateUser_SeveralBadFields_OneViolationEach()
    {
        var request = new CreateUserRequest
        {
            Email = "nope",
            DisplayName = "",
            CreditLimit = new Money { CurrencyCode = "us", Units = -5, Nanos = 1 },
            RequestId = "bad id",
        };

        var badRequest = await RpcAssert.InvalidArgumentAsync(() => Client.CreateUserAsync(request, cancellationToken: Ct),
            "email", "display_name", "credit_limit.currency_code", "credit_limit.units", "credit_limit.nanos", "request_id");

        Assert.Equal(6, badRequest.FieldViolations.Count);
    }

    [Fact]
    public async Task CreateUser_MaxValues_Accepted()
    {
        var request = Requests.NewUser(creditLimit: Requests.Usd(1_000_000_000_000_000, 990_000_000));
        request.DisplayName = new string('x', 100);

        var user = (await Client.CreateUserAsync(request, cancellationToken: Ct)).User;

        Assert.Equal(request.CreditLimit, user.AvailableCredit);
    }
}

using Google.Protobuf.WellKnownTypes;

namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>UpdateUser behaviour that depends on the store; runs once per storage provider.</summary>
public abstract class UpdateUserContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    private Task<UpdateUserResponse> UpdateAsync(ProtoUser user, params string[] paths) =>
        Client.UpdateUserAsync(Requests.Update(user, paths), cancellationToken: Ct)
            .ResponseAsync;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_DisplayNameInMask_UpdatesOnlyThatField()
    {
        var created = await CreateUserAsync(Requests.Usd(100));
        Clock.Advance(TimeSpan.FromMinutes(5));

        var updated = (await UpdateAsync(new ProtoUser
        {
            Id = created.Id,
            DisplayName = "New Name",
            Email = "ignored@example.com",
            CreditLimit = Requests.Usd(1),
        }, "display_name")).User;

        Assert.Equal("New Name", updated.DisplayName);
        Assert.Equal(created.Email, updated.Email);
        Assert.Equal(created.CreditLimit, updated.CreditLimit);
        Assert.Equal(created.CreateTime, updated.CreateTime);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start.AddMinutes(5)), updated.UpdateTime);
        Assert.NotEqual(created.Etag, updated.Etag);
        Assert.Equal(updated, await GetUserAsync(created.Id));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_AllPaths_UpdatesEveryField()
    {
        var created = await CreateUserAsync(Requests.Usd(100));

        var updated = (await UpdateAsync(new ProtoUser
        {
            Id = created.Id,
            Etag = created.Etag,
            DisplayName = "Everything",
            Email = "everything@example.com",
            CreditLimit = Requests.Amount("EUR", 7, 10_000_000),
            Status = UserStatus.Suspended,
        }, "display_name", "email", "credit_limit", "status")).User;

        Assert.Equal("Everything", updated.DisplayName);
        Assert.Equal("everything@example.com", updated.Email);
        Assert.Equal(Requests.Amount("EUR", 7, 10_000_000), updated.CreditLimit);
        Assert.Equal(Requests.Amount("EUR", 7, 10_000_000), updated.AvailableCredit);
        Assert.Equal(UserStatus.Suspended, updated.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_SuspendThenActivate_StatusFollows()
    {
        var created = await CreateUserAsync();

        var suspended = (await UpdateAsync(new ProtoUser { Id = created.Id, Status = UserStatus.Suspended }, "status")).User;
        var active = (await UpdateAsync(new ProtoUser { Id = created.Id, Status = UserStatus.Active }, "status")).User;

        Assert.Equal(UserStatus.Suspended, suspended.Status);
        Assert.Equal(UserStatus.Active, active.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_MatchingEtag_Succeeds()
    {
        var created = await CreateUserAsync();

        var updated = (await UpdateAsync(new ProtoUser { Id = created.Id, Etag = created.Etag, DisplayName = "A" }, "display_name")).User;

        Assert.Equal("A", updated.DisplayName);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_StaleEtag_AbortedAndNothingWritten()
    {
        var created = await CreateUserAsync();
        await UpdateAsync(new ProtoUser { Id = created.Id, DisplayName = "First" }, "display_name");

        var ex = await RpcAssert.ThrowsAsync(StatusCode.Aborted,
            () => UpdateAsync(new ProtoUser { Id = created.Id, Etag = created.Etag, DisplayName = "Second" }, "display_name"));

        Assert.Equal("CONCURRENT_MODIFICATION", ex.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal("First", (await GetUserAsync(created.Id)).DisplayName);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_ConcurrentUpdatesWithSameEtag_ExactlyOneWins()
    {
        var created = await CreateUserAsync();

        var attempts = Enumerable.Range(0, 12).Select(async i =>
        {
            try
            {
                await UpdateAsync(new ProtoUser { Id = created.Id, Etag = created.Etag, DisplayName = $"Writer {i}" }, "display_name");
                return (Writer: i, Code: StatusCode.OK);
            }
            catch (RpcException ex)
            {
                return (Writer: i, Code: ex.StatusCode);
            }
        });
        var outcomes = await Task.WhenAll(attempts);

        var winner = Assert.Single(outcomes, o => o.Code == StatusCode.OK);
        Assert.All(outcomes.Where(o => o.Code != StatusCode.OK), o => Assert.Equal(StatusCode.Aborted, o.Code));
        var final = await GetUserAsync(created.Id);
        Assert.Equal($"Writer {winner.Writer}", final.DisplayName);
        var second = (await UpdateAsync(new ProtoUser { Id = created.Id, Etag = final.Etag, DisplayName = "Next" }, "display_name")).User;
        Assert.Equal("Next", second.DisplayName);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_Unknown_NotFound() =>
        await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => UpdateAsync(new ProtoUser { Id = "usr_missing", DisplayName = "X" }, "display_name"));

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_DeletedUser_FailedPrecondition()
    {
        var created = await CreateUserAsync();
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = created.Id }, cancellationToken: Ct);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => UpdateAsync(new ProtoUser { Id = created.Id, DisplayName = "Zombie" }, "display_name"));

        Assert.Equal("USER_DELETED", ex.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.Single().Type);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_EmailOfAnotherUserOtherCase_AlreadyExists()
    {
        await CreateUserAsync(email: "taken@example.com");
        var other = await CreateUserAsync();

        await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => UpdateAsync(new ProtoUser { Id = other.Id, Email = "TAKEN@example.com" }, "email"));
        Assert.Equal(other.Email, (await GetUserAsync(other.Id)).Email);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_OwnEmailOtherCase_Succeeds()
    {
        var user = await CreateUserAsync(email: "mine@example.com");

        var updated = (await UpdateAsync(new ProtoUser { Id = user.Id, Email = "MINE@example.com" }, "email")).User;

        Assert.Equal("MINE@example.com", updated.Email);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_EmailOfDeletedUser_Succeeds()
    {
        var gone = await CreateUserAsync(email: "freed@example.com");
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = gone.Id }, cancellationToken: Ct);
        var user = await CreateUserAsync();

        var updated = (await UpdateAsync(new ProtoUser { Id = user.Id, Email = "freed@example.com" }, "email")).User;

        Assert.Equal("freed@example.com", updated.Email);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_CreditLimitBelowReserved_FailedPrecondition()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(60));

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => UpdateAsync(new ProtoUser { Id = user.Id, CreditLimit = Requests.Usd(59, 990_000_000) }, "credit_limit"));

        Assert.Equal("CREDIT_LIMIT_BELOW_RESERVED", ex.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.Single().Type);
        Assert.Equal(Requests.Usd(100), (await GetUserAsync(user.Id)).CreditLimit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_CreditLimitEqualToReserved_LeavesZeroAvailable()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(60));

        var updated = (await UpdateAsync(new ProtoUser { Id = user.Id, CreditLimit = Requests.Usd(60) }, "credit_limit")).User;

        Assert.Equal(Requests.Usd(0), updated.AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_CurrencyChangeWhileReserved_FailedPrecondition()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(1));

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => UpdateAsync(new ProtoUser { Id = user.Id, CreditLimit = Requests.Amount("EUR", 500) }, "credit_limit"));

        Assert.Equal("CREDIT_CURRENCY_IN_USE", ex.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.Single().Type);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_InvalidFieldOutsideMask_Ignored()
    {
        var user = await CreateUserAsync();

        var updated = (await UpdateAsync(new ProtoUser { Id = user.Id, DisplayName = "Fine", Email = "not an email" }, "display_name")).User;

        Assert.Equal(user.Email, updated.Email);
    }
}

namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>
/// GetUser is served from the read cache (on by default): every test reads the user first, so it is cached, then
/// changes it and expects the next read on this replica to show the change. Runs once per storage provider.
/// </summary>
public abstract class ReadCacheContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_CachedThenUpdated_NextReadShowsTheUpdate()
    {
        var user = await CreateUserAsync();
        var cached = await GetUserAsync(user.Id);

        var updated = (await Client.UpdateUserAsync(Requests.Update(new ProtoUser { Id = user.Id, DisplayName = "Renamed" }, "display_name"), cancellationToken: Ct)).User;

        Assert.Equal(updated, await GetUserAsync(user.Id));
        Assert.NotEqual(cached.Etag, updated.Etag);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_CachedThenCreditReservedAndReleased_AvailableCreditFollows()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await GetUserAsync(user.Id);

        var reserved = await ReserveAsync(user.Id, Requests.Usd(30));
        Assert.Equal(Requests.Usd(70), (await GetUserAsync(user.Id)).AvailableCredit);

        await Client.ReleaseCreditAsync(new ReleaseCreditRequest { ReservationId = reserved.Reservation.ReservationId }, cancellationToken: Ct);
        Assert.Equal(Requests.Usd(100), (await GetUserAsync(user.Id)).AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_CachedThenDeleted_NextReadShowsDeleted()
    {
        var user = await CreateUserAsync();
        await GetUserAsync(user.Id);

        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = user.Id }, cancellationToken: Ct);

        Assert.Equal(UserStatus.Deleted, (await GetUserAsync(user.Id)).Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_CachedThenRefusedUpdate_StillTheStoredUser()
    {
        var user = await CreateUserAsync();
        var cached = await GetUserAsync(user.Id);

        await RpcAssert.ThrowsAsync(StatusCode.Aborted, () => Client.UpdateUserAsync(
            Requests.Update(new ProtoUser { Id = user.Id, DisplayName = "Stale", Etag = "999" }, "display_name"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(cached, await GetUserAsync(user.Id));
    }
}

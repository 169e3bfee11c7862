
namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>DeleteUser behaviour that depends on the store; runs once per storage provider.</summary>
public abstract class DeleteUserContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task DeleteUser_Active_SoftDeletesAndHidesFromList()
    {
        var created = await CreateUserAsync();
        var kept = await CreateUserAsync();

        var deleted = (await Client.DeleteUserAsync(new DeleteUserRequest { UserId = created.Id }, cancellationToken: Ct)).User;

        Assert.Equal(UserStatus.Deleted, deleted.Status);
        Assert.NotEqual(created.Etag, deleted.Etag);
        Assert.Equal(deleted, await GetUserAsync(created.Id));
        Assert.Equal([kept.Id], (await ListAllAsync()).Select(u => u.Id));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task DeleteUser_Twice_SecondSucceedsUnchanged()
    {
        var created = await CreateUserAsync();
        var first = (await Client.DeleteUserAsync(new DeleteUserRequest { UserId = created.Id }, cancellationToken: Ct)).User;

        var second = (await Client.DeleteUserAsync(new DeleteUserRequest { UserId = created.Id }, cancellationToken: Ct)).User;

        Assert.Equal(first, second);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task DeleteUser_Unknown_NotFound() =>
        await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => Client.DeleteUserAsync(new DeleteUserRequest { UserId = "usr_unknown" }, cancellationToken: Ct));

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task DeleteUser_WithReservation_ReservationCanStillBeReleased()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        var reserved = await ReserveAsync(user.Id, Requests.Usd(40));
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = user.Id }, cancellationToken: Ct);

        var released = await Client.ReleaseCreditAsync(
            new ReleaseCreditRequest { ReservationId = reserved.Reservation.ReservationId }, cancellationToken: Ct);

        Assert.Equal(ReservationStatus.Released, released.Reservation.Status);
        Assert.Equal(Requests.Usd(100), released.AvailableCredit);
    }
}

namespace GrpcMesh.UserService.Tests;

public sealed class DeleteUserTests : UserServiceTest
{
    [Fact]
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

    [Fact]
    public async Task DeleteUser_Twice_SecondSucceedsUnchanged()
    {
        var created = await CreateUserAsync();
        var first = (await Client.DeleteUserAsync(new DeleteUserRequest { UserId = created.Id }, cancellationToken: Ct)).User;

        var second = (await Client.DeleteUserAsync(new DeleteUserRequest { UserId = created.Id }, cancellationToken: Ct)).User;

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task DeleteUser_Unknown_NotFound() =>
        await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => Client.DeleteUserAsync(new DeleteUserRequest { UserId = "usr_unknown" }, cancellationToken: Ct));

    [Theory]
    [InlineData("")]
    [InlineData("no spaces allowed")]
    public async Task DeleteUser_MissingOrMalformedId_InvalidArgument(string userId) =>
        await RpcAssert.InvalidArgumentAsync(
            () => Client.DeleteUserAsync(new DeleteUserRequest { UserId = userId }, cancellationToken: Ct), "user_id");

    [Fact]
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

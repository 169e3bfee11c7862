
namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>What survives a restart of the service on the same store; runs once per storage provider.</summary>
public abstract class PersistenceContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Restart_SameStore_UsersReservationsAndIdempotencyKeysPersist()
    {
        var user = (await Client.CreateUserAsync(Requests.NewUser(creditLimit: Requests.Usd(100), requestId: "persist"), cancellationToken: Ct)).User;
        var reservation = await ReserveAsync(user.Id, Requests.Usd(30), "persisted_res");
        var released = await ReserveAsync(user.Id, Requests.Usd(5), "released_res");
        await Client.ReleaseCreditAsync(new ReleaseCreditRequest { ReservationId = released.Reservation.ReservationId }, cancellationToken: Ct);

        RestartService();

        var reread = await GetUserAsync(user.Id);
        Assert.Equal(user.Email, reread.Email);
        Assert.Equal(user.CreateTime, reread.CreateTime);
        Assert.Equal(user.Etag, reread.Etag);
        Assert.Equal(Requests.Usd(70), reread.AvailableCredit);
        var replay = await ReserveAsync(user.Id, Requests.Usd(30), "persisted_res");
        Assert.Equal(reservation.Reservation, replay.Reservation);
        var createReplay = (await Client.CreateUserAsync(Requests.NewUser(user.Email, Requests.Usd(100), "persist"), cancellationToken: Ct)).User;
        Assert.Equal(user.Id, createReplay.Id);
        await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => Client.CreateUserAsync(Requests.NewUser(user.Email.ToUpperInvariant()), cancellationToken: Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Restart_Twice_SchemaMigrationIsIdempotent()
    {
        var user = await CreateUserAsync();

        RestartService();
        RestartService();

        Assert.Equal(user, Assert.Single(await ListAllAsync()));
    }
}

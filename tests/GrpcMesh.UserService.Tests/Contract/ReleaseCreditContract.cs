
namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>ReleaseCredit behaviour that depends on the store; runs once per storage provider.</summary>
public abstract class ReleaseCreditContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReleaseCredit_Reserved_RestoresCredit()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        var reserved = await ReserveAsync(user.Id, Requests.Usd(35, 10_000_000));

        var released = await Client.ReleaseCreditAsync(
            new ReleaseCreditRequest { ReservationId = reserved.Reservation.ReservationId }, cancellationToken: Ct);

        Assert.Equal(ReservationStatus.Released, released.Reservation.Status);
        Assert.Equal(reserved.Reservation.Amount, released.Reservation.Amount);
        Assert.Equal(reserved.Reservation.CreateTime, released.Reservation.CreateTime);
        Assert.Equal(Requests.Usd(100), released.AvailableCredit);
        Assert.Equal(Requests.Usd(100), (await GetUserAsync(user.Id)).AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReleaseCredit_Twice_SecondSucceedsUnchangedAndCreditRestoredOnce()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        var keep = await ReserveAsync(user.Id, Requests.Usd(50));
        var reserved = await ReserveAsync(user.Id, Requests.Usd(20));
        var request = new ReleaseCreditRequest { ReservationId = reserved.Reservation.ReservationId };

        var first = await Client.ReleaseCreditAsync(request, cancellationToken: Ct);
        var second = await Client.ReleaseCreditAsync(request, cancellationToken: Ct);

        Assert.Equal(first.Reservation, second.Reservation);
        Assert.Equal(Requests.Usd(50), second.AvailableCredit);
        Assert.Equal(ReservationStatus.Reserved, keep.Reservation.Status);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReleaseCredit_Unknown_NotFound()
    {
        var ex = await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => Client.ReleaseCreditAsync(new ReleaseCreditRequest { ReservationId = "never_made" }, cancellationToken: Ct));

        Assert.Equal("never_made", ex.GetRpcStatus()?.GetDetail<ResourceInfo>()?.ResourceName);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReleaseCredit_ThenReserveAgain_CreditAvailable()
    {
        var user = await CreateUserAsync(Requests.Usd(10));
        var reserved = await ReserveAsync(user.Id, Requests.Usd(10));
        await Client.ReleaseCreditAsync(new ReleaseCreditRequest { ReservationId = reserved.Reservation.ReservationId }, cancellationToken: Ct);

        var again = await ReserveAsync(user.Id, Requests.Usd(10));

        Assert.Equal(Requests.Usd(0), again.AvailableCredit);
    }
}


namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>ReserveCredit behaviour that depends on the store; runs once per storage provider.</summary>
public abstract class ReserveCreditContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_WithinLimit_ReservesAndReducesAvailable()
    {
        var user = await CreateUserAsync(Requests.Usd(100));

        var response = await ReserveAsync(user.Id, Requests.Usd(25, 500_000_000), "order_1");

        Assert.Equal("order_1", response.Reservation.ReservationId);
        Assert.Equal(user.Id, response.Reservation.UserId);
        Assert.Equal(Requests.Usd(25, 500_000_000), response.Reservation.Amount);
        Assert.Equal(ReservationStatus.Reserved, response.Reservation.Status);
        Assert.NotNull(response.Reservation.CreateTime);
        Assert.Equal(Requests.Usd(74, 500_000_000), response.AvailableCredit);
        var after = await GetUserAsync(user.Id);
        Assert.Equal(Requests.Usd(74, 500_000_000), after.AvailableCredit);
        Assert.Equal(user.Etag, after.Etag);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_ExactlyAvailable_LeavesZero()
    {
        var user = await CreateUserAsync(Requests.Usd(10));

        var response = await ReserveAsync(user.Id, Requests.Usd(10));

        Assert.Equal(Requests.Usd(0), response.AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_MoreThanAvailable_FailedPreconditionInsufficientCredit()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(70));

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => Client.ReserveCreditAsync(
            Requests.Reserve(user.Id, Requests.Usd(30, 10_000_000), "too_much"), cancellationToken: Ct));

        var violation = Assert.Single(ex.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations);
        Assert.Equal("INSUFFICIENT_CREDIT", violation.Type);
        Assert.Equal("users/" + user.Id, violation.Subject);
        Assert.Contains("30.00 USD", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Requests.Usd(30), (await GetUserAsync(user.Id)).AvailableCredit);

        // The refused reservation id was not recorded.
        await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => Client.ReleaseCreditAsync(new ReleaseCreditRequest { ReservationId = "too_much" }, cancellationToken: Ct));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_Replay_ReturnsSameReservationAndCountsOnce()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        var first = await ReserveAsync(user.Id, Requests.Usd(40), "order_7");

        var replay = await ReserveAsync(user.Id, Requests.Usd(40), "order_7");

        Assert.Equal(first.Reservation, replay.Reservation);
        Assert.Equal(Requests.Usd(60), replay.AvailableCredit);
        Assert.Equal(Requests.Usd(60), (await GetUserAsync(user.Id)).AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_ReplayAfterSuspension_ReturnsOriginalReservation()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        var first = await ReserveAsync(user.Id, Requests.Usd(40), "order_8");
        await SuspendAsync(user.Id);

        var replay = await ReserveAsync(user.Id, Requests.Usd(40), "order_8");

        Assert.Equal(first.Reservation, replay.Reservation);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_ReplayAfterRelease_ReturnsReleasedWithoutHoldingAgain()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(40), "order_9");
        await Client.ReleaseCreditAsync(new ReleaseCreditRequest { ReservationId = "order_9" }, cancellationToken: Ct);

        var replay = await ReserveAsync(user.Id, Requests.Usd(40), "order_9");

        Assert.Equal(ReservationStatus.Released, replay.Reservation.Status);
        Assert.Equal(Requests.Usd(100), replay.AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_SameIdDifferentAmount_AlreadyExists()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(40), "order_10");

        await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => Client.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(41), "order_10"), cancellationToken: Ct));
        Assert.Equal(Requests.Usd(60), (await GetUserAsync(user.Id)).AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_SameIdOtherUser_AlreadyExists()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        var other = await CreateUserAsync(Requests.Usd(100));
        await ReserveAsync(user.Id, Requests.Usd(40), "order_11");

        await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists,
            () => Client.ReserveCreditAsync(Requests.Reserve(other.Id, Requests.Usd(40), "order_11"), cancellationToken: Ct));
        Assert.Equal(Requests.Usd(100), (await GetUserAsync(other.Id)).AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_UnknownUser_NotFound() =>
        await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => Client.ReserveCreditAsync(Requests.Reserve("usr_nobody", Requests.Usd(1)), cancellationToken: Ct));

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_SuspendedUser_FailedPrecondition()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await SuspendAsync(user.Id);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => Client.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(1)), cancellationToken: Ct));

        Assert.Equal("USER_SUSPENDED", ex.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.Single().Type);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_DeletedUser_FailedPrecondition()
    {
        var user = await CreateUserAsync(Requests.Usd(100));
        await Client.DeleteUserAsync(new DeleteUserRequest { UserId = user.Id }, cancellationToken: Ct);

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => Client.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(1)), cancellationToken: Ct));

        Assert.Equal("USER_DELETED", ex.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.Single().Type);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_OtherCurrency_FailedPrecondition()
    {
        var user = await CreateUserAsync(Requests.Usd(100));

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => Client.ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Amount("EUR", 1)), cancellationToken: Ct));

        Assert.Equal("CURRENCY_MISMATCH", ex.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.Single().Type);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_TwentyConcurrentAgainstLimit100_ExactlyTenSucceed()
    {
        var user = await CreateUserAsync(Requests.Usd(100));

        var attempts = Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                var response = await ReserveAsync(user.Id, Requests.Usd(10), $"parallel_{i}");
                return (Code: StatusCode.OK, Available: response.AvailableCredit);
            }
            catch (RpcException ex)
            {
                return (Code: ex.StatusCode, Available: (Money?)null);
            }
        });
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(10, outcomes.Count(o => o.Code == StatusCode.OK));
        Assert.Equal(10, outcomes.Count(o => o.Code == StatusCode.FailedPrecondition));
        Assert.All(outcomes.Where(o => o.Available is not null), o => Assert.True(o.Available!.Units >= 0 && o.Available.Nanos >= 0));
        var availableAfterEach = outcomes.Where(o => o.Available is not null).Select(o => o.Available!.Units).Order();
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90], availableAfterEach);
        Assert.Equal(Requests.Usd(0), (await GetUserAsync(user.Id)).AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_ConcurrentReplaysOfOneId_HoldOnce()
    {
        var user = await CreateUserAsync(Requests.Usd(100));

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ReserveAsync(user.Id, Requests.Usd(30), "same_id")));

        Assert.Single(responses.Select(r => r.Reservation).Distinct());
        Assert.Equal(Requests.Usd(70), (await GetUserAsync(user.Id)).AvailableCredit);
    }

    private async Task SuspendAsync(string userId) =>
        await Client.UpdateUserAsync(new UpdateUserRequest
        {
            User = new ProtoUser { Id = userId, Status = UserStatus.Suspended },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "status" } },
        }, cancellationToken: Ct);
}

using Google.Protobuf.WellKnownTypes;

namespace GrpcMesh.UserService.Tests.Contract;

/// <summary>
/// Two UserService replicas (two hosts, each with its own store instance and connection pool) on ONE store, racing.
/// Correctness must come from the database (row locks, unique constraints), not from in-process locks.
/// Runs once per storage provider (for SQLite the replicas share one file, as two processes on one box would).
/// </summary>
public abstract class ReplicaContract(IStorageUnderTest storage) : UserServiceTest(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_TwentyConcurrentAcrossTwoReplicas_ExactlyTenSucceedNeverOverdrawn()
    {
        using var replicaB = Store.CreateHost(Clock);
        var clients = new[] { Client, new UserServiceClient(replicaB.Channel) };
        var user = await CreateUserAsync(Requests.Usd(100));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                var response = await clients[i % 2].ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(10), $"race_{i}"), cancellationToken: Ct);
                return (Code: StatusCode.OK, Available: response.AvailableCredit);
            }
            catch (RpcException ex)
            {
                return (Code: ex.StatusCode, Available: (Money?)null);
            }
        }));

        Assert.Equal(10, outcomes.Count(o => o.Code == StatusCode.OK));
        Assert.Equal(10, outcomes.Count(o => o.Code == StatusCode.FailedPrecondition));
        var availableAfterEach = outcomes.Where(o => o.Available is not null).Select(o => o.Available!).ToList();
        Assert.All(availableAfterEach, a => Assert.Equal(0, a.Nanos));
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90], availableAfterEach.Select(a => a.Units).Order());
        foreach (var client in clients)
        {
            var after = (await client.GetUserAsync(new GetUserRequest { UserId = user.Id }, cancellationToken: Ct)).User;
            Assert.Equal(Requests.Usd(0), after.AvailableCredit);
        }
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_SameIdConcurrentlyOnBothReplicas_OneReservation()
    {
        using var replicaB = Store.CreateHost(Clock);
        var clients = new[] { Client, new UserServiceClient(replicaB.Channel) };
        var user = await CreateUserAsync(Requests.Usd(100));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            clients[i % 2].ReserveCreditAsync(Requests.Reserve(user.Id, Requests.Usd(30), "shared_id"), cancellationToken: Ct).ResponseAsync));

        Assert.Single(responses.Select(r => r.Reservation).Distinct());
        Assert.All(responses, r => Assert.Equal(Requests.Usd(70), r.AvailableCredit));
        Assert.Equal(Requests.Usd(70), (await GetUserAsync(user.Id)).AvailableCredit);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ReserveCredit_SameIdForTwoUsersOnTwoReplicas_OneWinsOtherAlreadyExists()
    {
        using var replicaB = Store.CreateHost(Clock);
        var clientB = new UserServiceClient(replicaB.Channel);
        var first = await CreateUserAsync(Requests.Usd(100));
        var second = await CreateUserAsync(Requests.Usd(100));

        var outcomes = await Task.WhenAll(
            OutcomeAsync(Client.ReserveCreditAsync(Requests.Reserve(first.Id, Requests.Usd(10), "contested"), cancellationToken: Ct).ResponseAsync),
            OutcomeAsync(clientB.ReserveCreditAsync(Requests.Reserve(second.Id, Requests.Usd(10), "contested"), cancellationToken: Ct).ResponseAsync));

        Assert.Equal([StatusCode.OK, StatusCode.AlreadyExists], outcomes.Order());
        var available = new[] { (await GetUserAsync(first.Id)).AvailableCredit, (await GetUserAsync(second.Id)).AvailableCredit };
        Assert.Equal([90, 100], available.Select(a => a.Units).Order());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_SameRequestIdConcurrentlyOnBothReplicas_OneUser()
    {
        using var replicaB = Store.CreateHost(Clock);
        var clients = new[] { Client, new UserServiceClient(replicaB.Channel) };
        var request = Requests.NewUser(requestId: "shared-create");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            clients[i % 2].CreateUserAsync(request, cancellationToken: Ct).ResponseAsync));

        var user = Assert.Single(responses.Select(r => r.User).Distinct());
        Assert.Equal(user, Assert.Single(await ListAllAsync()));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_SameEmailConcurrentlyOnBothReplicas_ExactlyOneCreated()
    {
        using var replicaB = Store.CreateHost(Clock);
        var clients = new[] { Client, new UserServiceClient(replicaB.Channel) };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            OutcomeAsync(clients[i % 2].CreateUserAsync(Requests.NewUser(i % 3 == 0 ? "race@example.com" : "RACE@example.com"), cancellationToken: Ct).ResponseAsync)));

        Assert.Equal(1, outcomes.Count(code => code == StatusCode.OK));
        Assert.Equal(7, outcomes.Count(code => code == StatusCode.AlreadyExists));
        Assert.Single(await ListAllAsync());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_SameEtagConcurrentlyOnBothReplicas_ExactlyOneWins()
    {
        using var replicaB = Store.CreateHost(Clock);
        var clients = new[] { Client, new UserServiceClient(replicaB.Channel) };
        var created = await CreateUserAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => OutcomeAsync(clients[i % 2].UpdateUserAsync(new UpdateUserRequest
        {
            User = new ProtoUser { Id = created.Id, Etag = created.Etag, DisplayName = $"Writer {i}" },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }, cancellationToken: Ct).ResponseAsync)));

        Assert.Equal(1, outcomes.Count(code => code == StatusCode.OK));
        Assert.Equal(9, outcomes.Count(code => code == StatusCode.Aborted));
        Assert.NotEqual(created.Etag, (await GetUserAsync(created.Id)).Etag);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Start_ThreeReplicasAtOnceOnEmptyStore_AllStartAndShareData()
    {
        await using var empty = await Storage.CreateStoreAsync(Ct);
        var replicas = Enumerable.Range(0, 3).Select(_ => empty.CreateHost(Clock)).ToList();
        try
        {
            await Task.WhenAll(replicas.Select(replica => Task.Run(() => replica.Server, Ct)));

            var clients = replicas.Select(replica => new UserServiceClient(replica.Channel)).ToList();
            var created = await Task.WhenAll(clients.Select(client => client.CreateUserAsync(Requests.NewUser(), cancellationToken: Ct).ResponseAsync));
            foreach (var client in clients)
            {
                var page = await client.ListUsersAsync(new ListUsersRequest(), cancellationToken: Ct);
                Assert.Equal(created.Select(c => c.User.Id).Order(StringComparer.Ordinal), page.Users.Select(u => u.Id));
            }
        }
        finally
        {
            replicas.ForEach(replica => replica.Dispose());
        }
    }

    private static async Task<StatusCode> OutcomeAsync<T>(Task<T> call)
    {
        try
        {
            await call;
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}

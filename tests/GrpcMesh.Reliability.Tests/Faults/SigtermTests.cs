using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Order.V1;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using GrpcMesh.User.V1;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Faults;

/// <summary>
/// SIGTERM in the middle of a write load against the real service processes: every write acknowledged with OK is
/// there after a restart on the same data directory, and the calls that failed failed with a clean status.
/// </summary>
public sealed class SigtermTests
{
    private const int Workers = 4;
    private const int SigtermAfterAcks = 40;

    private static readonly Dictionary<string, string> Drain = new()
    {
        ["Shutdown:DrainDelay"] = "00:00:01",
        ["Shutdown:Timeout"] = "00:00:10",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_SigtermMidLoad_EveryAcknowledgedUserThereAfterRestartFailuresClean()
    {
        using var data = new TempDirectory("grpcmesh-sigterm-users");
        WriteLoad load;
        await using (var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, data.Path, Drain))
        {
            load = await WriteLoad.RunAsync(service, async channel =>
                (await new UserServiceClient(channel).CreateUserAsync(Users.NewUser(), deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: Ct)).User.Id);
            Assert.Equal(0, service.ExitCode);
        }

        await using var restarted = await ServiceProcess.StartAsync(ServiceProcess.UserService, data.Path);
        using var channel = GrpcChannel.ForAddress(restarted.Address);
        var users = new UserServiceClient(channel);
        var missing = new List<string>();
        foreach (var id in load.Acknowledged)
        {
            try
            {
                await users.GetUserAsync(new GetUserRequest { UserId = id }, cancellationToken: Ct);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                missing.Add(id);
            }
        }

        var stored = await CountUsersAsync(users);
        load.Report("SIGTERM / UserService CreateUser",
            $"{stored} users stored after the restart ({stored - load.Acknowledged.Count} written whose OK never arrived)");
        Assert.Empty(missing);
        load.AssertCleanFailures();
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateOrder_SigtermOrderServiceMidLoad_EveryAcknowledgedOrderConfirmedWithItsReservationAfterRestart()
    {
        using var userData = new TempDirectory("grpcmesh-sigterm-u");
        using var orderData = new TempDirectory("grpcmesh-sigterm-o");
        await using var userService = await ServiceProcess.StartAsync(ServiceProcess.UserService, userData.Path);
        var orderSettings = new Dictionary<string, string>(Drain)
        {
            ["Clients:UserService:Address"] = userService.Address.ToString(),
            ["Orders:SweepInterval"] = "00:00:00.200",
            ["Orders:PendingSagaTimeout"] = "00:00:11",
        };
        using var userChannel = GrpcChannel.ForAddress(userService.Address);
        var users = new UserServiceClient(userChannel);
        var user = (await users.CreateUserAsync(Users.NewUser(1_000_000_00), cancellationToken: Ct)).User;

        WriteLoad load;
        await using (var orderService = await ServiceProcess.StartAsync(ServiceProcess.OrderService, orderData.Path, orderSettings))
        {
            load = await WriteLoad.RunAsync(orderService, async channel =>
            {
                var order = (await new OrderServiceClient(channel).CreateOrderAsync(Users.NewOrder(user.Id), deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: Ct)).Order;
                Assert.Equal(OrderStatus.Confirmed, order.Status);
                return order.Id;
            });
            Assert.Equal(0, orderService.ExitCode);
        }

        await using var restarted = await ServiceProcess.StartAsync(ServiceProcess.OrderService, orderData.Path, orderSettings);
        using var orderChannel = GrpcChannel.ForAddress(restarted.Address);
        var orders = new OrderServiceClient(orderChannel);
        var reservations = await CreditLedger.ReservationsAsync(userData.Path);
        var lost = new List<string>();
        foreach (var id in load.Acknowledged)
        {
            try
            {
                var order = (await orders.GetOrderAsync(new GetOrderRequest { OrderId = id }, cancellationToken: Ct)).Order;
                if (order.Status != OrderStatus.Confirmed || reservations.GetValueOrDefault(id) != "RESERVED")
                {
                    lost.Add($"{id}: {order.Status}, reservation {reservations.GetValueOrDefault(id) ?? "none"}");
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                lost.Add($"{id}: not found");
            }
        }

        // Orders whose OK never arrived must not be half-written either (the restarted sweeper settles any interrupted saga).
        var settle = Stopwatch.StartNew();
        List<Order.V1.Order> all;
        IReadOnlyList<string> problems;
        while (true)
        {
            all = await OrderAudit.ListAllAsync(orders, user.Id);
            problems = OrderAudit.Problems(all, await CreditLedger.ReservationsAsync(userData.Path));
            if (problems.Count == 0 || settle.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }

            await Task.Delay(200, Ct);
        }

        var confirmed = all.Count(o => o.Status == OrderStatus.Confirmed);
        load.Report("SIGTERM / OrderService CreateOrder",
            $"{all.Count} orders stored after the restart: {confirmed} CONFIRMED with their reservation, {all.Count - confirmed} REJECTED with none held " +
            $"({confirmed - load.Acknowledged.Count} confirmed whose OK never arrived)");
        Assert.Empty(lost);
        Assert.Empty(problems);
        load.AssertCleanFailures();
    }

    private static async Task<int> CountUsersAsync(UserServiceClient users)
    {
        var count = 0;
        var request = new ListUsersRequest { PageSize = 1000 };
        do
        {
            var page = await users.ListUsersAsync(request, cancellationToken: Ct);
            count += page.Users.Count;
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return count;
    }

    /// <summary>
    /// <see cref="Workers"/> clients (one connection each) writing as fast as they can; SIGTERM once
    /// <see cref="SigtermAfterAcks"/> writes were acknowledged; each client stops at its first failure after the SIGTERM
    /// (or after a call it started once the process had exited).
    /// </summary>
    private sealed class WriteLoad
    {
        private readonly ConcurrentQueue<string> _acknowledged = new();
        private readonly ConcurrentQueue<RpcException> _failures = new();
        private int _acknowledgedAfterSigterm;
        private volatile bool _sigtermSent;

        public IReadOnlyCollection<string> Acknowledged => _acknowledged;

        public IReadOnlyCollection<RpcException> Failures => _failures;

        public TimeSpan SigtermToExit { get; private set; }

        public static async Task<WriteLoad> RunAsync(ServiceProcess service, Func<GrpcChannel, Task<string>> write)
        {
            var load = new WriteLoad();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                using var channel = GrpcChannel.ForAddress(service.Address);
                while (!stop.IsCancellationRequested)
                {
                    var afterExit = service.HasExited;
                    try
                    {
                        load._acknowledged.Enqueue(await write(channel));
                        if (load._sigtermSent)
                        {
                            Interlocked.Increment(ref load._acknowledgedAfterSigterm);
                        }
                    }
                    catch (RpcException ex)
                    {
                        load._failures.Enqueue(ex);
                        if (load._sigtermSent)
                        {
                            return; // the service is going away: this client has seen how its calls end
                        }
                    }

                    if (afterExit)
                    {
                        return;
                    }
                }
            }, Ct)).ToList();

            try
            {
                await Eventually.WaitAsync(() => load._acknowledged.Count >= SigtermAfterAcks, $"{SigtermAfterAcks} acknowledged writes", TimeSpan.FromSeconds(60));
                var sigterm = Stopwatch.StartNew();
                load._sigtermSent = true;
                service.Terminate();
                Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(40)), $"the service did not exit after SIGTERM:\n{service.Output}");
                load.SigtermToExit = sigterm.Elapsed;
                await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            }
            finally
            {
                await stop.CancelAsync();
            }

            return load;
        }

        public void Report(string scenario, string more)
        {
            var failures = _failures.GroupBy(f => f.StatusCode).Select(g => $"{g.Count()} {g.Key}");
            Figures.Report(scenario,
                $"{Workers} clients: {_acknowledged.Count} writes acknowledged ({_acknowledgedAfterSigterm} after SIGTERM, during the drain), " +
                $"failures {(_failures.IsEmpty ? "none" : string.Join(", ", failures))}; exit 0 {SigtermToExit.TotalSeconds:F1} s after SIGTERM " +
                $"(DrainDelay 1 s); after the restart on the same data: every acknowledged write present; {more}");
        }

        /// <summary>
        /// Only "no answer" failures: UNAVAILABLE, CANCELLED, or the INTERNAL Grpc.Net.Client makes up when the server's
        /// GOAWAY races a new call (it carries the transport exception; <see cref="StatusTaxonomy"/> classes it Unavailable).
        /// </summary>
        public void AssertCleanFailures()
        {
            var unclean = _failures.Where(f => StatusTaxonomy.KindOf(f) is not (StatusKind.Unavailable or StatusKind.Cancelled))
                .Select(f => $"{f.StatusCode}: {f.Status.Detail}").ToList();
            Assert.True(unclean.Count == 0, "failures other than UNAVAILABLE/CANCELLED:\n" + string.Join('\n', unclean));
        }
    }
}

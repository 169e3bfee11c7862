using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Faults;

/// <summary>
/// TCP resets between OrderService and UserService (a <see cref="ResettingProxy"/> in front of UserService on real
/// Kestrel; OrderService reaches it through its production client pipeline over real sockets).
/// </summary>
public sealed class ConnectionResetTests
{
    private const long LimitCents = 1_000_000_00;
    private static readonly TimeSpan FaultPeriod = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(50, 0.3)] // some connections: in-flight calls hit now and then, most calls get through
    [InlineData(10, 1.0)] // all of them: no connection lives long enough to carry a call, an outage made of resets
    public async Task CreateOrder_ConnectionsResetForAPeriod_OnlyUnavailableNothingHalfWrittenAndRecovers(int resetEveryMs, double newConnectionResetRatio)
    {
        using var userHost = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null));
        await using var proxy = new ResettingProxy(userHost.StartOnLoopback());
        using var orderHost = new GrpcTestHost<OrderServiceMarker>(HostSettings.For(null,
            ("Clients:UserService:Address", proxy.Address.ToString()),
            ("Clients:UserService:Breaker:BreakDuration", "00:00:00.500"),
            ("Orders:SweepInterval", "00:00:00.100"),
            ("Orders:CompensationRetryDelay", "00:00:00.050"),
            ("Orders:CompensationRetryMaxDelay", "00:00:00.500")));
        var users = new UserServiceClient(userHost.Channel);
        var orders = new OrderServiceClient(orderHost.Channel);
        var user = (await users.CreateUserAsync(Users.NewUser(LimitCents), cancellationToken: Ct)).User;
        Assert.Equal(OrderStatus.Confirmed, (await orders.CreateOrderAsync(Users.NewOrder(user.Id), cancellationToken: Ct)).Order.Status);

        // Fault period (2 s): every open connection is reset every resetEveryMs (whatever is in flight on it), and a
        // ratio of the new connections are reset on their first bytes. 4 workers, one call at a time each, 10 ms apart, each call with
        // its own request_id and no retries by the test (OrderService's client retries as configured).
        proxy.ResetNewConnections(newConnectionResetRatio);
        using var resetting = new CancellationTokenSource();
        var resetter = Task.Run(async () =>
        {
            while (!resetting.IsCancellationRequested)
            {
                proxy.ResetAll();
                await Task.Delay(resetEveryMs, CancellationToken.None);
            }
        }, Ct);
        var codes = new ConcurrentBag<StatusCode>();
        var unexpected = new ConcurrentBag<string>();
        var faultPeriod = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (faultPeriod.Elapsed < FaultPeriod)
            {
                try
                {
                    await orders.CreateOrderAsync(Users.NewOrder(user.Id), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct);
                    codes.Add(StatusCode.OK);
                }
                catch (RpcException ex)
                {
                    codes.Add(ex.StatusCode);
                    if (ex.StatusCode != StatusCode.Unavailable)
                    {
                        unexpected.Add($"{ex.StatusCode}: {ex.Status.Detail}");
                    }
                }

                await Task.Delay(10, Ct);
            }
        }, Ct)));
        faultPeriod.Stop();
        await resetting.CancelAsync();
        await resetter;
        proxy.ResetNewConnections(0);
        var resets = proxy.Reset;

        var recovery = Stopwatch.StartNew();
        while (!await TryCreateOrderAsync(orders, user.Id))
        {
            Assert.True(recovery.Elapsed < TimeSpan.FromSeconds(30), "no recovery within 30 s of the resets stopping");
            await Task.Delay(50, Ct);
        }

        recovery.Stop();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(OrderStatus.Confirmed, (await orders.CreateOrderAsync(Users.NewOrder(user.Id), cancellationToken: Ct)).Order.Status);
        }

        // Compensations for the calls whose outcome was unknown run in the background; wait for them to settle.
        List<Order.V1.Order> all = [];
        IReadOnlyList<string> problems = ["not checked"];
        var settle = Stopwatch.StartNew();
        while (problems.Count > 0 && settle.Elapsed < TimeSpan.FromSeconds(30))
        {
            all = await OrderAudit.ListAllAsync(orders, user.Id);
            problems = OrderAudit.Problems(all, await CreditLedger.ReservationsAsync(userHost.DataDirectory));
            if (problems.Count > 0)
            {
                await Task.Delay(100, Ct);
            }
        }

        var confirmed = all.Count(o => o.Status == OrderStatus.Confirmed);
        var available = (await users.GetUserAsync(new GetUserRequest { UserId = user.Id }, cancellationToken: Ct)).User.AvailableCredit;
        var failures = codes.Where(c => c != StatusCode.OK).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        Figures.Report($"connection resets (open connections every {resetEveryMs} ms, {newConnectionResetRatio:P0} of new ones on first bytes)",
            $"{codes.Count} CreateOrder calls in {faultPeriod.Elapsed.TotalSeconds:F1} s while {resets} connections were reset " +
            $"({proxy.Accepted} accepted): {codes.Count(c => c == StatusCode.OK)} OK, failures {Describe(failures)}; " +
            $"{all.Count} orders = {confirmed} CONFIRMED with their reservation + {all.Count - confirmed} REJECTED with none held " +
            $"(settled {settle.ElapsedMilliseconds} ms after the load); first success {recovery.ElapsedMilliseconds} ms after resets stopped");

        Assert.True(resets > 0, "the proxy reset no connection");
        Assert.True(unexpected.IsEmpty, "failures other than UNAVAILABLE:\n" + string.Join("\n", unexpected));
        Assert.Empty(problems);
        Assert.Equal(LimitCents - (confirmed * 25_00), (available.Units * 100) + (available.Nanos / 10_000_000));
    }

    private static async Task<bool> TryCreateOrderAsync(OrderServiceClient orders, string userId)
    {
        try
        {
            return (await orders.CreateOrderAsync(Users.NewOrder(userId), cancellationToken: Ct)).Order.Status == OrderStatus.Confirmed;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
        {
            return false;
        }
    }

    private static string Describe(Dictionary<StatusCode, int> failures) =>
        failures.Count == 0 ? "none" : string.Join(", ", failures.Select(f => $"{f.Value} {f.Key}"));
}

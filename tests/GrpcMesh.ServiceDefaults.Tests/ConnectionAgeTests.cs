using System.Diagnostics;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Order.V1;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults.Tests;

/// <summary>Connections:MaxAge / MaxAgeGrace (gRPC A9) on real Kestrel, seen by a client that counts its connections.</summary>
public sealed class ConnectionAgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MaxAge_PlainClientKeepsCalling_ReconnectsAfterEachAge_OnlyACallSentAtTheGoAwayFails()
    {
        await using var host = await Hosts.StartUsersAsync(new Dictionary<string, string?> { ["Connections:MaxAge"] = "00:00:01" });
        using var client = new CountingChannel(host.Address);
        var users = new UserService.UserServiceClient(client.Channel);
        var calls = 0;
        var neverSent = 0;

        // Expected after ~2 s (two ages of 0.9–1.1 s); the wait allows 30 s. Kestrel closes an idle connection right
        // after its GOAWAY, so a plain client's call sent at that instant fails before the server took it (the mesh
        // client retries such a call: MaxAge_MeshClientAcrossSeveralAges below). Any other failure fails the test.
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                var response = await users.GetUserAsync(new GetUserRequest { UserId = $"u{++calls}" }, cancellationToken: Ct);
                Assert.Equal($"u{calls}", response.User.Id);
            }
            catch (RpcException ex) when (StatusTaxonomy.NeverSent(ex))
            {
                neverSent++;
            }

            return client.Connections >= 3;
        }, "a third connection (GOAWAY after each MaxAge)");

        Assert.True(calls > 3, $"only {calls} calls");
        Assert.True(neverSent <= client.Connections - 1, $"{neverSent} calls failed unsent across {client.Connections - 1} GOAWAYs (at most one each)");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MaxAge_NoGrace_CallInFlightAtGoAwayCompletesOnTheOldConnection()
    {
        await using var host = await Hosts.StartUsersAsync(new Dictionary<string, string?> { ["Connections:MaxAge"] = "00:00:01" });
        using var client = new CountingChannel(host.Address);
        var users = new UserService.UserServiceClient(client.Channel);
        var gate = host.Services.GetRequiredService<CallGate>();
        var slow = users.GetUserAsync(new GetUserRequest { UserId = "slow" }, cancellationToken: Ct).ResponseAsync;
        await gate.Entered.WaitAsync(Eventually.DefaultTimeout, Ct);

        await Eventually.WaitAsync(async () =>
        {
            await users.GetUserAsync(new GetUserRequest { UserId = "probe" }, cancellationToken: Ct);
            return client.Connections >= 2;
        }, "new calls on a new connection after the GOAWAY");
        gate.Open();

        Assert.Equal("slow", (await slow).User.Id);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MaxAgeGrace_CallStillInFlightAfterGrace_EndsUnavailableNoSoonerThanAgePlusGrace()
    {
        await using var host = await Hosts.StartUsersAsync(new Dictionary<string, string?>
        {
            ["Connections:MaxAge"] = "00:00:01",
            ["Connections:MaxAgeGrace"] = "00:00:01",
        });
        using var client = new CountingChannel(host.Address);
        var users = new UserService.UserServiceClient(client.Channel);
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<RpcException>(() => users.GetUserAsync(new GetUserRequest { UserId = "slow" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        // The earliest possible end is the lower jitter bound of the age (0.9 s) plus the grace (1 s); timers never fire early.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.85), $"aborted after {watch.Elapsed.TotalSeconds:F2} s, before age + grace");
        var after = await users.GetUserAsync(new GetUserRequest { UserId = "after" }, cancellationToken: Ct);
        Assert.Equal("after", after.User.Id);
        Assert.Equal(2, client.Connections);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MaxAge_MeshClientAcrossSeveralAges_NoFailedCallNoBreakerChange()
    {
        await using var users = await Hosts.StartUsersAsync(new Dictionary<string, string?> { ["Connections:MaxAge"] = "00:00:01" });
        await using var orders = await Hosts.StartOrdersAsync(users);
        using var metrics = new MetricRecorder(orders.Services.GetRequiredService<GrpcMeshClientTelemetry>().Meter);
        var client = new OrderService.OrderServiceClient(orders.Channel);
        var watch = Stopwatch.StartNew();
        var calls = 0;

        // At least three ages (0.9–1.1 s each) pass while the calls run, so the mesh client meets at least two GOAWAYs.
        while (watch.Elapsed < TimeSpan.FromSeconds(3.5))
        {
            var response = await client.GetOrderAsync(new GetOrderRequest { OrderId = $"u{++calls}" }, cancellationToken: Ct);
            Assert.Equal($"u{calls}", response.Order.UserId);
        }

        // Kestrel closes an idle connection with a single GOAWAY, so the one call sent at that instant is refused unprocessed
        // and retried (StatusTaxonomy.NeverSent); one call runs at a time, so at most one retry per age.
        var ages = (int)(watch.Elapsed / TimeSpan.FromSeconds(0.9)) + 1;
        Assert.InRange(metrics.Sum("grpcmesh.client.retries"), 0, ages);
        Assert.Equal(0, metrics.Sum("grpcmesh.client.breaker.state_changes"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Defaults_NoAgeLimit_AsGrpc() => TestTimeouts.RunSync(() =>
    {
        var options = new Hosting.ConnectionAgeOptions();

        Assert.Null(options.MaxAge);
        Assert.Null(options.MaxAgeGrace);
    }, Ct);

    /// <summary>A channel whose handler counts the TCP connections it opens.</summary>
    private sealed class CountingChannel : IDisposable
    {
        private int _connections;

        public CountingChannel(Uri address)
        {
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    Interlocked.Increment(ref _connections);
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
        }

        public GrpcChannel Channel { get; }

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose() => Channel.Dispose();
    }
}

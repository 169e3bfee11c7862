using Grpc.Net.Client;
using GrpcMesh.Reliability.Tests.Faults;
using GrpcMesh.Reliability.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using Microsoft.Extensions.DependencyInjection;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Limits;

/// <summary>
/// <c>Limits:MaxConcurrentStreams</c> on real Kestrel: it is advertised as HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS, and a
/// .NET client keeps within it. Calls beyond the limit wait for a free stream on that connection (or, with
/// EnableMultipleHttp2Connections — the GrpcMesh.Clients default — go out on another connection); none fails.
/// </summary>
public sealed class StreamLimitTests
{
    private const int Limit = 3;
    private const int Calls = 10;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_MoreConcurrentCallsThanStreamLimitOnOneConnection_AtMostLimitRunTheRestWaitAndAllSucceed()
    {
        var gate = new HandlerGate(nameof(UserServiceClient.GetUser));
        using var host = StartHost(gate);
        var user = (await new UserServiceClient(host.Channel).CreateUserAsync(Users.NewUser(), cancellationToken: Ct)).User;
        using var channel = GrpcChannel.ForAddress(host.LoopbackAddress!, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
        });
        var users = new UserServiceClient(channel);

        var calls = Enumerable.Range(0, Calls)
            .Select(_ => users.GetUserAsync(new GetUserRequest { UserId = user.Id }, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: Ct).ResponseAsync)
            .ToList();
        await Eventually.WaitAsync(() => gate.Running == Limit, "the stream limit's worth of handlers running");
        // A negative check needs some time to pass: had the server or client allowed a fourth stream, it would have
        // reached the handler by now (the first three did within milliseconds).
        await Task.Delay(500, Ct);
        var enteredWhileHeld = gate.Entered;
        var waiting = calls.Count(c => !c.IsCompleted);
        gate.Open();
        var responses = await Task.WhenAll(calls);

        Figures.Report("HTTP/2 stream limit",
            $"MaxConcurrentStreams {Limit}, {Calls} concurrent calls on one connection: {enteredWhileHeld} handlers running while held, " +
            $"the other {Calls - enteredWhileHeld} waiting for a stream ({Calls - waiting} finished or failed meanwhile); after release all {responses.Length} OK, at most {gate.MaxRunning} at once");
        Assert.Equal(Limit, enteredWhileHeld);
        Assert.Equal(Calls, waiting);
        Assert.All(responses, r => Assert.Equal(user.Id, r.User.Id));
        Assert.Equal(Limit, gate.MaxRunning);
        Assert.Equal(Calls, gate.Entered);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_MoreConcurrentCallsThanStreamLimitWithMultipleConnections_ClientOpensMoreConnectionsAllRunAtOnce()
    {
        var gate = new HandlerGate(nameof(UserServiceClient.GetUser));
        using var host = StartHost(gate);
        var user = (await new UserServiceClient(host.Channel).CreateUserAsync(Users.NewUser(), cancellationToken: Ct)).User;
        using var channel = GrpcChannel.ForAddress(host.LoopbackAddress!, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        var users = new UserServiceClient(channel);

        var calls = Enumerable.Range(0, Calls)
            .Select(_ => users.GetUserAsync(new GetUserRequest { UserId = user.Id }, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: Ct).ResponseAsync)
            .ToList();
        await Eventually.WaitAsync(() => gate.Running == Calls, "every call's handler running");
        gate.Open();
        var responses = await Task.WhenAll(calls);

        Assert.All(responses, r => Assert.Equal(user.Id, r.User.Id));
        Assert.Equal(Calls, gate.MaxRunning);
    }

    private static GrpcTestHost<UserServiceMarker> StartHost(HandlerGate gate)
    {
        var host = new GrpcTestHost<UserServiceMarker>(HostSettings.For(null, ("Limits:MaxConcurrentStreams", $"{Limit}")), services =>
        {
            services.AddSingleton(gate);
            services.AddGrpc(o => o.Interceptors.Add<HandlerGateInterceptor>());
        });
        host.StartOnLoopback();
        return host;
    }
}

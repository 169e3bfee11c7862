using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Integration;

public sealed class RetryTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_UnavailableTwice_SucceedsOnThirdAttemptWithPreviousAttemptsHeader()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.FailFirst(2, StatusCode.Unavailable);
        using var harness = new ClientHarness(server.Address);

        var response = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" });

        Assert.Equal("u1", response.User.Id);
        Assert.Equal([null, "1", "2"], server.Backend.Calls.Select(c => c.PreviousAttempts));
        Assert.Equal(2, harness.Metrics.Sum("grpcmesh.client.retries",
            ("method", "/grpcmesh.user.v1.UserService/GetUser"), ("code", "Unavailable"), ("target", server.Address.OriginalString.TrimEnd('/'))));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_UnavailableWithoutRequestId_NotRetried()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.Unavailable);
        using var harness = new ClientHarness(server.Address);

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Client.CreateUserAsync(new CreateUserRequest { Email = "a@b.c" }));

        Assert.Equal(1, server.Backend.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_UnavailableWithRequestId_Retried()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.FailFirst(1, StatusCode.Unavailable);
        using var harness = new ClientHarness(server.Address);

        await harness.Client.CreateUserAsync(new CreateUserRequest { Email = "a@b.c", RequestId = "req-1" });

        Assert.Equal(2, server.Backend.CallCount);
        Assert.All(server.Backend.Calls, c => Assert.Equal("req-1", ((CreateUserRequest)c.Request).RequestId));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ResourceExhaustedWithoutPushback_NotRetried()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.ResourceExhausted);
        using var harness = new ClientHarness(server.Address);

        await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted, () => harness.Client.GetUserAsync(new GetUserRequest()));

        Assert.Equal(1, server.Backend.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ResourceExhaustedWithPushback_RetriedAfterAtLeastThePushback()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.Behavior = (call, context) => call.Number == 1
            ? throw FakeUserBackend.Failure(StatusCode.ResourceExhausted, context, [(GrpcMeshMetadata.RetryPushback, "300")])
            : Task.CompletedTask;
        using var harness = new ClientHarness(server.Address);

        await harness.Client.GetUserAsync(new GetUserRequest());

        var calls = server.Backend.Calls;
        Assert.Equal(2, calls.Count);
        // .NET timers count whole milliseconds of Environment.TickCount64, so a 300 ms delay can end up to 1 ms early on Stopwatch time.
        Assert.True(calls[0].ElapsedUntil(calls[1]) >= TimeSpan.FromMilliseconds(300 - 1), $"second attempt after {calls[0].ElapsedUntil(calls[1])}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_NegativePushback_NotRetried()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.Unavailable, (GrpcMeshMetadata.RetryPushback, "-1"));
        using var harness = new ClientHarness(server.Address);

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Client.GetUserAsync(new GetUserRequest()));

        Assert.Equal(1, server.Backend.CallCount);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(TaxonomyCodes.NeverRetried), MemberType = typeof(TaxonomyCodes))]
    public async Task GetUser_BusinessOrFinalError_NeverRetried(StatusCode code)
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(code);
        using var harness = new ClientHarness(server.Address);

        await RpcAssert.ThrowsAsync(code, () => harness.Client.GetUserAsync(new GetUserRequest()));

        Assert.Equal(1, server.Backend.CallCount);
        Assert.Equal(0, harness.Metrics.Sum("grpcmesh.client.retries"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_FullOutage_RetryBudgetCapsAmplification()
    {
        const int Calls = 200;
        const int MaxAttempts = 3;
        const double Ratio = 0.1; // the default
        const int FloorPerSecond = 10;
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.Unavailable);
        // The clock stands still, so the floor allows FloorPerSecond retries in total.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var harness = new ClientHarness(server.Address, o =>
        {
            o.DefaultDeadline = TimeSpan.FromHours(1);
            o.Retry.MaxAttempts = MaxAttempts;
            o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero;
            o.Retry.BudgetRatio = Ratio;
            o.Retry.BudgetMinRetriesPerSecond = FloorPerSecond;
            o.Breaker.Enabled = false;
        }, time);

        for (var i = 0; i < Calls; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Client.GetUserAsync(new GetUserRequest()));
        }

        var bound = Calls + (Ratio * Calls) + FloorPerSecond; // 230, against 600 without a budget
        TestContext.Current.TestOutputHelper?.WriteLine($"{server.Backend.CallCount} attempts for {Calls} calls (bound {bound})");
        Assert.InRange(server.Backend.CallCount, Calls + FloorPerSecond, (int)bound);
        Assert.True(harness.Metrics.Sum("grpcmesh.client.retry_budget_exhausted") > 0);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_ConnectionRefused_RetriedBecauseItNeverReachedTheServer()
    {
        var deadPort = FreePort();
        var sent = new CountingHandler();
        using var harness = new ClientHarness(new Uri($"http://127.0.0.1:{deadPort}"), o => o.Breaker.Enabled = false,
            http: builder => builder.AddHttpMessageHandler(() => sent));

        var error = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Client.CreateUserAsync(new CreateUserRequest { Email = "a@b.c" }));

        // Grpc.Net.Client connects its subchannel before building any HTTP request: the refused connection means no
        // request reached even the HTTP handler chain, so the non-idempotent call was retried (3 attempts).
        Assert.Equal(0, sent.Count);
        Assert.Equal(2, harness.Metrics.Sum("grpcmesh.client.retries", ("code", "Unavailable")));
        Assert.Contains("Connection refused", error.Status.DebugException?.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_InsideServerCallThatIsARetry_InnerNotRetriedAndMarked()
    {
        await using var inner = await GrpcServer<FakeUserService>.StartAsync();
        inner.Backend.AlwaysFail(StatusCode.Unavailable);
        await using var outer = await DeadlineTests.StartRelayAsync(inner.Address);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(outer.Address);
        var client = new UserService.UserServiceClient(channel);

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable,
            () => client.GetUserAsync(new GetUserRequest(), headers: new Metadata { { GrpcMeshMetadata.PreviousAttempts, "1" } }));

        var call = Assert.Single(inner.Backend.Calls);
        Assert.True(call.NoRetry);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_InsideFirstAttemptServerCall_InnerRetried()
    {
        await using var inner = await GrpcServer<FakeUserService>.StartAsync();
        inner.Backend.AlwaysFail(StatusCode.Unavailable);
        await using var outer = await DeadlineTests.StartRelayAsync(inner.Address);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(outer.Address);

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => new UserService.UserServiceClient(channel).GetUserAsync(new GetUserRequest()));

        Assert.Equal(3, inner.Backend.CallCount);
        Assert.All(inner.Backend.Calls, c => Assert.False(c.NoRetry));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

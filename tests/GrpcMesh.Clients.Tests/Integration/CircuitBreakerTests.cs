using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Integration;

public sealed class CircuitBreakerTests
{
    private static ClientHarness Harness(Uri address, FakeTimeProvider time) => new(address, o =>
    {
        o.DefaultDeadline = TimeSpan.FromHours(1); // the fake clock stands still while real time passes
        o.Retry.MaxAttempts = 1;
        o.Breaker.FailureRatio = 0.5;
        o.Breaker.MinimumThroughput = 4;
        o.Breaker.SamplingDuration = TimeSpan.FromSeconds(10);
        o.Breaker.BreakDuration = TimeSpan.FromSeconds(5);
    }, time);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_FailureRatioReached_OpensRejectsWithoutNetworkThenHalfOpensAndCloses()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.Unavailable);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var harness = Harness(server.Address, time);
        var target = server.Address.OriginalString.TrimEnd('/');

        for (var i = 0; i < 4; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Client.GetUserAsync(new GetUserRequest()));
        }

        var reached = server.Backend.CallCount;
        Assert.Equal(4, reached);
        var rejected = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Client.GetUserAsync(new GetUserRequest()));
        Assert.Equal($"circuit open for {target}; retry after 5000 ms", rejected.Status.Detail);
        Assert.Equal(reached, server.Backend.CallCount);

        server.Backend.Behavior = static (_, _) => Task.CompletedTask; // the target recovers
        time.Advance(TimeSpan.FromSeconds(5));
        var probe = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "probe" });
        await harness.Client.GetUserAsync(new GetUserRequest { UserId = "after" });

        Assert.Equal("probe", probe.User.Id);
        Assert.Equal(reached + 2, server.Backend.CallCount);
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.breaker.rejections", ("target", target)));
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("target", target), ("state", "open")));
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("target", target), ("state", "half_open")));
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("target", target), ("state", "closed")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_BusinessErrors_NeverOpenTheCircuit()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.NotFound);
        using var harness = Harness(server.Address, new FakeTimeProvider(DateTimeOffset.UtcNow));

        for (var i = 0; i < 20; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => harness.Client.GetUserAsync(new GetUserRequest()));
        }

        Assert.Equal(20, server.Backend.CallCount);
        Assert.Equal(0, harness.Metrics.Sum("grpcmesh.client.breaker.state_changes"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_CircuitOpen_RetryDoesNotSpinOnTheRejection()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.Unavailable);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var harness = new ClientHarness(server.Address, o =>
        {
            o.DefaultDeadline = TimeSpan.FromHours(1);
            o.Retry.MaxAttempts = 5;
            o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero;
            o.Breaker.MinimumThroughput = 2;
            o.Breaker.FailureRatio = 1.0;
        }, time);

        var error = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Client.GetUserAsync(new GetUserRequest()));

        Assert.StartsWith("circuit open for", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, server.Backend.CallCount); // two failures opened it; the third attempt was rejected and not retried
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.breaker.rejections"));
    }
}

using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class BreakerInTheCallTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    // Retries off, so each call is one attempt and the counts below are the breaker's alone (ResilienceInterceptorTests
    // covers deadline, retry and breaker together).
    private UnitPipeline Unit() => new(_time, o =>
    {
        o.Retry.MaxAttempts = 1;
        o.Breaker.MinimumThroughput = 4;
        o.Breaker.FailureRatio = 0.5;
        o.Breaker.BreakDuration = TimeSpan.FromSeconds(5);
    });

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_FailureRatioReached_OpensAndRejectsWithoutSending()
    {
        using var unit = Unit();
        unit.Invoker.Script = (_, _) => new RpcException(new Status(StatusCode.Unavailable, "down"));
        var client = unit.Client();
        for (var i = 0; i < 4; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.GetUserAsync(new GetUserRequest()));
        }

        var rejected = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.GetUserAsync(new GetUserRequest()));

        Assert.Equal(4, unit.Invoker.CallCount);
        Assert.StartsWith("circuit open for http://127.0.0.1:5001; retry after", rejected.Status.Detail, StringComparison.Ordinal);
        Assert.IsType<BrokenCircuitException>(rejected.Status.DebugException);
        Assert.Equal(CircuitState.Open, unit.Breaker!.State);
        Assert.Equal(1, unit.Metrics.Sum("grpcmesh.client.breaker.rejections"));
        Assert.Equal(1, unit.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("state", "open")));
        Assert.Equal("open", unit.Metrics.BreakerState("http://127.0.0.1:5001"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_AfterBreakDuration_ProbeSucceedsAndCloses()
    {
        using var unit = Unit();
        unit.Invoker.Script = (n, _) => n <= 4 ? new RpcException(new Status(StatusCode.Internal, "boom")) : null;
        var client = unit.Client();
        for (var i = 0; i < 4; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.Internal, () => client.GetUserAsync(new GetUserRequest()));
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        await client.GetUserAsync(new GetUserRequest());
        await client.GetUserAsync(new GetUserRequest());

        Assert.Equal(6, unit.Invoker.CallCount);
        Assert.Equal(CircuitState.Closed, unit.Breaker!.State);
        Assert.Equal(1, unit.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("state", "half_open")));
        Assert.Equal(1, unit.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("state", "closed")));
        Assert.Equal("closed", unit.Metrics.BreakerState("http://127.0.0.1:5001"));
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(TaxonomyCodes.NotBreakerFailures), MemberType = typeof(TaxonomyCodes))]
    public async Task AsyncUnaryCall_BusinessErrors_NeverOpen(StatusCode code)
    {
        using var unit = Unit();
        unit.Invoker.Script = (_, _) => new RpcException(new Status(code, "business"));
        var client = unit.Client();

        for (var i = 0; i < 20; i++)
        {
            await RpcAssert.ThrowsAsync(code, () => client.GetUserAsync(new GetUserRequest()));
        }

        Assert.Equal(20, unit.Invoker.CallCount);
        Assert.Equal(CircuitState.Closed, unit.Breaker!.State);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncServerStreamingCall_CircuitOpen_RejectedWithoutSending()
    {
        using var unit = Unit();
        unit.Invoker.Script = (_, _) => new RpcException(new Status(StatusCode.DeadlineExceeded, "slow"));
        var users = unit.Client();
        for (var i = 0; i < 4; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.DeadlineExceeded, () => users.GetUserAsync(new GetUserRequest()));
        }

        var orders = unit.OrderClient();
        using var watch = orders.WatchOrders(new WatchOrdersRequest());

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(4, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task BlockingUnaryCall_CircuitOpen_RejectedWithoutSending() => TestTimeouts.RunSync(() =>
    {
        using var unit = Unit();
        unit.Invoker.Script = (_, _) => new RpcException(new Status(StatusCode.Unavailable, "down"));
        var client = unit.Client();
        for (var i = 0; i < 4; i++)
        {
            Assert.Throws<RpcException>(() => client.GetUser(new GetUserRequest()));
        }

        var rejected = Assert.Throws<RpcException>(() => client.GetUser(new GetUserRequest()));

        Assert.Equal(StatusCode.Unavailable, rejected.StatusCode);
        Assert.Contains("circuit open", rejected.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(4, unit.Invoker.CallCount);
    }, TestContext.Current.CancellationToken);
}

using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Tests.Unit;

/// <summary>
/// Deadline, retry and breaker together in one call: each behaviour is checked with responses complete when the call
/// returns and with responses arriving later.
/// </summary>
public sealed class ResilienceInterceptorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private UnitPipeline Unit(bool asyncCompletion)
    {
        var unit = new UnitPipeline(_time, o =>
        {
            o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero;
            o.Breaker.MinimumThroughput = 4;
            o.Breaker.FailureRatio = 0.5;
            o.Breaker.BreakDuration = TimeSpan.FromSeconds(5);
        });
        unit.Invoker.AsyncCompletion = asyncCompletion;
        return unit;
    }

    private static RpcException Failure(StatusCode code = StatusCode.Unavailable) => new(new Status(code, "down"));

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AsyncUnaryCall_FailedAttemptsReported_OpenTheBreaker(bool asyncCompletion)
    {
        using var unit = Unit(asyncCompletion);
        unit.Invoker.Script = (_, _) => Failure();
        var client = unit.Client();
        for (var i = 0; i < 4; i++)
        {
            // CreateUser without request_id is not retried: one attempt per call, each reported to the breaker.
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.CreateUserAsync(new CreateUserRequest()));
        }

        var rejected = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.CreateUserAsync(new CreateUserRequest()));

        Assert.Equal(4, unit.Invoker.CallCount);
        Assert.IsType<BrokenCircuitException>(rejected.Status.DebugException);
        Assert.Equal(CircuitState.Open, unit.Breaker!.State);
        Assert.Equal(1, unit.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("state", "open")));
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AsyncUnaryCall_SuccessfulAttemptsReported_CountForTheBreaker(bool asyncCompletion)
    {
        using var unit = Unit(asyncCompletion);
        unit.Invoker.Script = (n, _) => n > 5 ? Failure() : null;
        var client = unit.Client();
        for (var i = 0; i < 5; i++)
        {
            await client.CreateUserAsync(new CreateUserRequest());
        }

        for (var i = 0; i < 4; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.CreateUserAsync(new CreateUserRequest()));
        }

        // 4 failures of 9 calls is below the 0.5 ratio; had the successes not been reported, 4 of 4 would have opened it.
        Assert.Equal(CircuitState.Closed, unit.Breaker!.State);
        Assert.Equal(9, unit.Invoker.CallCount);
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AsyncUnaryCall_RetryableFirstFailure_RetriedThroughPolly(bool asyncCompletion)
    {
        using var unit = Unit(asyncCompletion);
        unit.Invoker.Script = (n, _) => n == 1 ? Failure() : null;

        using var call = unit.Client().GetUserAsync(new GetUserRequest());
        await call;

        Assert.Equal([null, "1"], unit.Invoker.Calls.Select(c => c.Headers?.GetValue(GrpcMeshMetadata.PreviousAttempts)));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(1, unit.Metrics.Sum("grpcmesh.client.retries", ("code", "Unavailable")));
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AsyncUnaryCall_NonRetryableFailure_StatusAndTrailersOfTheCall(bool asyncCompletion)
    {
        using var unit = Unit(asyncCompletion);
        unit.Invoker.Script = (_, _) => new RpcException(new Status(StatusCode.NotFound, "no such user"), new Metadata { { "x-detail", "d1" } });

        using var call = unit.Client().GetUserAsync(new GetUserRequest());
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => call.ResponseAsync);

        Assert.Equal(1, unit.Invoker.CallCount);
        Assert.Equal(StatusCode.NotFound, call.GetStatus().StatusCode);
        Assert.Equal("d1", call.GetTrailers().GetValue("x-detail"));
        Assert.Equal(0, unit.Metrics.Sum("grpcmesh.client.retries"));
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AsyncUnaryCall_RetriesExhausted_EveryAttemptFeedsTheBreaker(bool asyncCompletion)
    {
        using var unit = Unit(asyncCompletion);
        unit.Invoker.Script = (_, _) => Failure();

        // GetUser is idempotent: 3 attempts, each reported to the breaker while it is closed.
        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => unit.Client().GetUserAsync(new GetUserRequest()));
        Assert.Equal(3, unit.Invoker.CallCount);
        Assert.Equal(CircuitState.Closed, unit.Breaker!.State);

        // The 4th failed attempt reaches the minimum throughput and opens the circuit; the 5th is refused unsent.
        var rejected = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => unit.Client().GetUserAsync(new GetUserRequest()));

        Assert.Equal(4, unit.Invoker.CallCount);
        Assert.StartsWith("circuit open for", rejected.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(CircuitState.Open, unit.Breaker!.State);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_HalfOpen_ProbeGoesThroughPollyAndOtherCallsAreRefused()
    {
        using var unit = Unit(asyncCompletion: false);
        var probeAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        unit.Invoker.Script = (n, _) => n <= 4 ? Failure() : null;
        unit.Invoker.HoldUntil = n => n == 5 ? probeAnswer.Task : null;
        var client = unit.Client();
        for (var i = 0; i < 4; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.CreateUserAsync(new CreateUserRequest()));
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        using var probe = client.CreateUserAsync(new CreateUserRequest());
        Assert.Equal(CircuitState.HalfOpen, unit.Breaker!.State);
        await WaitUntil(() => unit.Invoker.CallCount == 5);
        var refused = await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.CreateUserAsync(new CreateUserRequest()));
        Assert.Contains("circuit open", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(5, unit.Invoker.CallCount);

        probeAnswer.SetResult();
        await probe;

        Assert.Equal(CircuitState.Closed, unit.Breaker.State);
        await client.CreateUserAsync(new CreateUserRequest());
        Assert.Equal(6, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_SentBeforeTheCircuitOpened_DoesNotCountAsTheProbe()
    {
        using var unit = Unit(asyncCompletion: false);
        var lateAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        unit.Invoker.Script = (n, _) => n is >= 2 and <= 5 ? Failure() : null;
        unit.Invoker.HoldUntil = n => n == 1 ? lateAnswer.Task : null;
        var client = unit.Client();
        using var late = client.CreateUserAsync(new CreateUserRequest());
        for (var i = 0; i < 4; i++)
        {
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => client.CreateUserAsync(new CreateUserRequest()));
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        lateAnswer.SetResult();
        await late;

        Assert.Equal(CircuitState.Open, unit.Breaker!.State);
        Assert.Equal(0, unit.Metrics.Sum("grpcmesh.client.breaker.state_changes", ("state", "closed")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncServerStreamingCall_NoCallerDeadline_GetsTheStreamingDefault()
    {
        using var unit = new UnitPipeline(_time, o => o.DefaultStreamingDeadline = TimeSpan.FromMinutes(3));

        using var watch = unit.OrderClient().WatchOrders(new GrpcMesh.Order.V1.WatchOrdersRequest());
        Assert.False(await watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(_time.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(3), unit.Invoker.Calls.Single().Deadline);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_DisposedWhileWaitingToRetry_CancelledWithoutFurtherAttempt()
    {
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.FromSeconds(1));
        unit.Invoker.Script = (_, _) => Failure();

        var call = unit.Client().GetUserAsync(new GetUserRequest());
        call.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));

        await RpcAssert.ThrowsAsync(StatusCode.Cancelled, () => call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, unit.Invoker.CallCount);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not reached in 10 s");
            await Task.Delay(5);
        }
    }
}

using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class RetryPolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private static RpcException Unavailable(string? pushback = null, StatusCode code = StatusCode.Unavailable)
    {
        var trailers = new Metadata();
        if (pushback is not null)
        {
            trailers.Add(GrpcMeshMetadata.RetryPushback, pushback);
        }

        return new RpcException(new Status(code, "down"), trailers);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_Pushback_WaitsAtLeastThePushbackOnTheClock()
    {
        using var unit = new UnitPipeline(_time);
        unit.Invoker.Script = (n, _) => n == 1 ? Unavailable("1000", StatusCode.ResourceExhausted) : null;

        var call = unit.Client().GetUserAsync(new GetUserRequest()).ResponseAsync;
        await WaitUntil(() => unit.Invoker.CallCount == 1);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, unit.Invoker.CallCount);
        Assert.False(call.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_BackoffWouldPassTheDeadline_DoesNotRetry()
    {
        using var unit = new UnitPipeline(_time, o =>
        {
            o.Retry.InitialBackoff = TimeSpan.FromSeconds(2);
            o.Retry.MaxBackoff = TimeSpan.FromSeconds(2);
            o.Retry.JitterFactor = 0;
        });
        unit.Invoker.Script = (_, _) => Unavailable();
        var deadline = _time.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(1);

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => unit.Client().GetUserAsync(new GetUserRequest(), deadline: deadline));

        Assert.Equal(1, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_RetriedAttempts_CarryPreviousAttemptsAndKeepCallerHeaders()
    {
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero);
        unit.Invoker.Script = (n, _) => n < 3 ? Unavailable() : null;

        await unit.Client().GetUserAsync(new GetUserRequest(), headers: new Metadata { { "x-trace", "t1" } });

        var calls = unit.Invoker.Calls;
        Assert.Equal([null, "1", "2"], calls.Select(c => c.Headers?.GetValue(GrpcMeshMetadata.PreviousAttempts)));
        Assert.All(calls, c => Assert.Equal("t1", c.Headers!.GetValue("x-trace")));
        Assert.Equal(2, unit.Metrics.Sum("grpcmesh.client.retries", ("code", "Unavailable")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_InsideRetriedServerCall_DoesNotRetryAndMarksDownstream()
    {
        var incoming = new FakeServerCallContext(DateTime.MaxValue, CancellationToken.None, new Metadata { { GrpcMeshMetadata.PreviousAttempts, "1" } });
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero, incoming);
        unit.Invoker.Script = (_, _) => Unavailable();

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => unit.Client().GetUserAsync(new GetUserRequest()));

        var sent = Assert.Single(unit.Invoker.Calls);
        Assert.Equal("1", sent.Headers?.GetValue(GrpcMeshMetadata.NoRetry));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_InsideServerCallMarkedNoRetry_DoesNotRetry()
    {
        var incoming = new FakeServerCallContext(DateTime.MaxValue, CancellationToken.None, new Metadata { { GrpcMeshMetadata.NoRetry, "1" } });
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero, incoming);
        unit.Invoker.Script = (_, _) => Unavailable();

        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => unit.Client().GetUserAsync(new GetUserRequest()));

        Assert.Equal(1, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_InsideFirstAttemptServerCall_Retries()
    {
        var incoming = new FakeServerCallContext(DateTime.MaxValue, CancellationToken.None, new Metadata { { GrpcMeshMetadata.PreviousAttempts, "0" } });
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero, incoming);
        unit.Invoker.Script = (n, _) => n == 1 ? Unavailable() : null;

        await unit.Client().GetUserAsync(new GetUserRequest());

        Assert.Equal(2, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_CancelledWhileWaitingToRetry_Cancelled()
    {
        using var unit = new UnitPipeline(_time);
        unit.Invoker.Script = (_, _) => Unavailable();
        using var cancellation = new CancellationTokenSource();

        var call = unit.Client().GetUserAsync(new GetUserRequest(), cancellationToken: cancellation.Token);
        await WaitUntil(() => unit.Invoker.CallCount == 1);
        await cancellation.CancelAsync();

        var error = await RpcAssert.ThrowsAsync(StatusCode.Cancelled, () => call.ResponseAsync);
        Assert.Contains("waiting to retry", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        Assert.Equal(1, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_Success_HeadersStatusAndTrailersFromTheLastAttempt()
    {
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero);
        unit.Invoker.Script = (n, _) => n == 1 ? Unavailable() : null;

        using var call = unit.Client().GetUserAsync(new GetUserRequest());
        await call;

        Assert.NotNull(await call.ResponseHeadersAsync);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Empty(call.GetTrailers());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task BlockingUnaryCall_Unavailable_RetriedToSuccess() => TestTimeouts.RunSync(() =>
    {
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero);
        unit.Invoker.Script = (n, _) => n < 3 ? Unavailable() : null;

        unit.Client().GetUser(new GetUserRequest());

        Assert.Equal([null, "1", "2"], unit.Invoker.Calls.Select(c => c.Headers?.GetValue(GrpcMeshMetadata.PreviousAttempts)));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task BlockingUnaryCall_NonIdempotentWithoutKey_NotRetried() => TestTimeouts.RunSync(() =>
    {
        using var unit = new UnitPipeline(_time, o => o.Retry.InitialBackoff = o.Retry.MaxBackoff = TimeSpan.Zero);
        unit.Invoker.Script = (_, _) => Unavailable();

        var error = Assert.Throws<RpcException>(() => unit.Client().CreateUser(new CreateUserRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, unit.Invoker.CallCount);
    }, TestContext.Current.CancellationToken);

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

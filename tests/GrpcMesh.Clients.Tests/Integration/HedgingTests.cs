using System.Diagnostics;
using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;

namespace GrpcMesh.Clients.Tests.Integration;

/// <summary>Clients:*:Hedging against a real server on loopback.</summary>
public sealed class HedgingTests
{
    private static readonly TimeSpan HedgeDelay = TimeSpan.FromMilliseconds(100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ClientHarness Hedged(GrpcServer<FakeUserService> server) => new(server.Address, o =>
    {
        o.Hedging.Enabled = true;
        o.Hedging.Delay = HedgeDelay;
    });

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_FirstAttemptStuck_HedgeAfterTheDelayWinsAndTheStuckAttemptIsCancelled()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        var loserCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Backend.Behavior = async (call, context) =>
        {
            if (call.PreviousAttempts is null)
            {
                await using var _ = context.CancellationToken.Register(() => loserCancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
        };
        using var harness = Hedged(server);
        var started = Stopwatch.GetTimestamp();

        var response = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct);

        Assert.Equal("u1", response.User.Id);
        var calls = server.Backend.Calls;
        var hedge = Assert.Single(calls, c => c.PreviousAttempts == "1");
        // The hedge reached the server no sooner than the delay after the call began, though .NET's timers may fire early.
        var hedgeAfter = Stopwatch.GetElapsedTime(started, hedge.Timestamp);
        Assert.True(hedgeAfter >= HedgeDelay, $"hedge after {hedgeAfter}");
        if (calls.Any(c => c.PreviousAttempts is null))
        {
            // The server sees the losing attempt cancelled (on a busy machine it can be cancelled before its handler runs).
            await loserCancelled.Task.WaitAsync(Eventually.DefaultTimeout, Ct);
        }

        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.hedges", ("reason", "delay")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_TimersFireEarly_HedgeNotSentBeforeTheDelayHasPassed()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.Behavior = (call, context) => call.PreviousAttempts is null ? Task.Delay(Timeout.Infinite, context.CancellationToken) : Task.CompletedTask;
        var time = new EarlyTimersTimeProvider(DateTimeOffset.UtcNow);
        using var harness = new ClientHarness(server.Address, o =>
        {
            o.Hedging.Enabled = true;
            o.Hedging.Delay = HedgeDelay;
        }, time);
        var started = time.GetTimestamp();

        using var call = harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, cancellationToken: Ct);
        await Eventually.WaitAsync(() => server.Backend.CallCount == 1, "the first attempt to reach the server");
        var hedgedAt = TimeSpan.Zero;
        while (!call.ResponseAsync.IsCompleted && time.GetElapsedTime(started) < HedgeDelay * 10)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(20, Ct); // room for the client to act on the timer, or for a hedge to reach the server
            if (hedgedAt == TimeSpan.Zero && server.Backend.CallCount > 1)
            {
                hedgedAt = time.GetElapsedTime(started);
            }
        }

        Assert.Equal("u1", (await call.ResponseAsync.WaitAsync(Eventually.DefaultTimeout, Ct)).User.Id);
        // The hedge timer fired at half the delay (50 ms of the fake clock); the hedge waited for the rest. Each 5 ms
        // step waits 20 ms of real time for the client, so on a slow machine the hedge is seen a few steps late: 4× is room.
        Assert.InRange(hedgedAt, HedgeDelay, HedgeDelay * 4);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_CallerCancelsBeforeTheHedgeDelay_CancelledAndNoHedgeSentLater()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.Behavior = (_, context) => Task.Delay(Timeout.Infinite, context.CancellationToken);
        using var harness = Hedged(server);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(HedgeDelay / 4);

        var failure = await Assert.ThrowsAsync<RpcException>(() =>
            harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, cancellationToken: cancel.Token).ResponseAsync);

        Assert.Equal(StatusCode.Cancelled, failure.StatusCode);
        // Three hedge delays after the call ended: its hedge timer died with it.
        await Task.Delay(HedgeDelay * 3, Ct);
        Assert.DoesNotContain(server.Backend.Calls, c => c.PreviousAttempts is not null);
        Assert.Equal(0, harness.Metrics.Sum("grpcmesh.client.hedges", ("reason", "delay")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_DelayPercentile_HedgesAtTheObservedLatencyNotTheFixedDelay()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.Behavior = (call, context) => call.Request is GetUserRequest { UserId: "stuck" } && call.PreviousAttempts is null
            ? Task.Delay(Timeout.Infinite, context.CancellationToken)
            : Task.CompletedTask;
        using var harness = new ClientHarness(server.Address, o =>
        {
            o.Hedging.Enabled = true;
            o.Hedging.Delay = TimeSpan.FromSeconds(20); // what the first 64 calls use; the stuck call must not wait for it
            o.Hedging.DelayPercentile = 95;
        });
        for (var i = 0; i < 64; i++)
        {
            await harness.Client.GetUserAsync(new GetUserRequest { UserId = $"u{i}" }, cancellationToken: Ct);
        }

        var started = Stopwatch.GetTimestamp();
        var response = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "stuck" }, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: Ct);

        Assert.Equal("stuck", response.User.Id);
        // The p95 of 64 answered calls is milliseconds (seconds on a starved machine); 20 s would mean the fixed delay.
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(15), $"hedged after {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.hedges", ("reason", "delay")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_FirstAttemptUnavailable_HedgeSentAtOnceAndSucceeds()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.FailFirst(1, StatusCode.Unavailable);
        using var harness = new ClientHarness(server.Address, o =>
        {
            o.Hedging.Enabled = true;
            o.Hedging.Delay = TimeSpan.FromSeconds(20); // only the failure can send the hedge in time
        });

        var response = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, cancellationToken: Ct);

        Assert.Equal("u1", response.User.Id);
        Assert.Equal(2, server.Backend.CallCount);
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.hedges", ("reason", "failure")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_FirstAttemptNotFound_CommittedWithoutAHedge()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.AlwaysFail(StatusCode.NotFound);
        using var harness = Hedged(server);

        var ex = await Assert.ThrowsAsync<RpcException>(() => harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal(1, server.Backend.CallCount);
        Assert.Equal(0, harness.Metrics.Sum("grpcmesh.client.hedges"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_SafeToRepeatButNotSideEffectFree_NeverHedged()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.Behavior = (_, context) => Task.Delay(HedgeDelay * 4, context.CancellationToken);
        using var harness = Hedged(server);

        await harness.Client.CreateUserAsync(new CreateUserRequest { Email = "a@b.c", RequestId = "req-1" }, cancellationToken: Ct);

        Assert.Equal(1, server.Backend.CallCount);
        Assert.Equal(0, harness.Metrics.Sum("grpcmesh.client.hedges"));
    }
}

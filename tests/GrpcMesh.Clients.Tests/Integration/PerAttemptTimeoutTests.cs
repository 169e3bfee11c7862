using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Clients.Tests.Integration;

/// <summary>Retry:PerAttemptTimeout against a real server on loopback whose first attempt never answers.</summary>
public sealed class PerAttemptTimeoutTests
{
    private static readonly TimeSpan PerAttempt = TimeSpan.FromMilliseconds(300);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_FirstAttemptStuck_CutAtThePerAttemptTimeoutAndRetriedWithinTheDeadline()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        var stuckAttemptCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Backend.Behavior = async (call, context) =>
        {
            if (call.PreviousAttempts is null)
            {
                await using var _ = context.CancellationToken.Register(() => stuckAttemptCancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
        };
        var sent = new CountingHandler();
        using var harness = new ClientHarness(server.Address, o => o.Retry.PerAttemptTimeout = PerAttempt,
            http: builder => builder.AddHttpMessageHandler(() => sent));

        var response = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct);

        Assert.Equal("u1", response.User.Id);
        Assert.True(sent.SentTimeouts[0] <= PerAttempt, $"first attempt sent grpc-timeout {sent.SentTimeouts[0]}");
        Assert.Contains(server.Backend.Calls, c => c.PreviousAttempts is not null);
        if (server.Backend.Calls.Any(c => c.PreviousAttempts is null))
        {
            // The server stops working on the cut attempt (on a busy machine the attempt can be cut before its handler runs).
            await stuckAttemptCancelled.Task.WaitAsync(Eventually.DefaultTimeout, Ct);
        }

        Assert.True(harness.Metrics.Sum("grpcmesh.client.retries", ("code", "DeadlineExceeded")) >= 1);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task MethodPerAttemptTimeout_OnlyThatMethodsAttemptsAreCut()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        var sent = new CountingHandler();
        using var harness = new ClientHarness(server.Address, o => o.Retry.MethodPerAttemptTimeouts["GetUser"] = PerAttempt,
            http: builder => builder.AddHttpMessageHandler(() => sent));
        var deadline = DateTime.UtcNow.AddSeconds(30);

        await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, deadline: deadline, cancellationToken: Ct);
        await harness.Client.ListUsersAsync(new ListUsersRequest(), deadline: deadline, cancellationToken: Ct);

        // A busy machine may cut GetUser's first attempt and retry it; ListUsers is the last request either way.
        var all = string.Join(", ", sent.SentTimeouts);
        Assert.True(sent.SentTimeouts[0] <= PerAttempt, $"GetUser's first attempt was not cut: {all}");
        Assert.True(sent.SentTimeouts[^1] > TimeSpan.FromSeconds(20), $"ListUsers was cut: {all}"); // 30 s less the time GetUser took
    }

    /// <summary>
    /// An attempt is not cut when no per-attempt timeout is set, nor when its call is not safe to repeat (a CreateUser without
    /// request_id: a timed-out attempt could not be retried): it keeps the call's whole deadline.
    /// </summary>
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task StuckAttempt_NotCut_KeepsTheWholeDeadline(bool perAttemptTimeout, bool createWithoutRequestId)
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.Behavior = (_, context) => Task.Delay(Timeout.Infinite, context.CancellationToken);
        using var harness = new ClientHarness(server.Address, o => o.Retry.PerAttemptTimeout = perAttemptTimeout ? PerAttempt : null);
        var deadline = DateTime.UtcNow.AddSeconds(2);

        var ex = await Assert.ThrowsAsync<RpcException>(() => createWithoutRequestId
            ? harness.Client.CreateUserAsync(new CreateUserRequest { Email = "a@b.c" }, deadline: deadline, cancellationToken: Ct).ResponseAsync
            : harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, deadline: deadline, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal(1, server.Backend.CallCount);
        Assert.True(server.Backend.Calls[0].SentTimeout > TimeSpan.FromSeconds(1), $"grpc-timeout {server.Backend.Calls[0].GrpcTimeout}");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_LastAttemptSlowerThanThePerAttemptTimeout_KeepsTheRestOfTheDeadlineAndSucceeds()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        server.Backend.Behavior = (call, context) => call.PreviousAttempts is null
            ? Task.Delay(Timeout.Infinite, context.CancellationToken)
            : Task.Delay(PerAttempt * 2, context.CancellationToken);
        var sent = new CountingHandler();
        using var harness = new ClientHarness(server.Address, o =>
        {
            o.Retry.MaxAttempts = 2;
            o.Retry.PerAttemptTimeout = PerAttempt;
        }, http: builder => builder.AddHttpMessageHandler(() => sent));

        var response = await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: Ct);

        Assert.Equal("u1", response.User.Id);
        Assert.Equal(2, sent.Count);
        Assert.True(sent.SentTimeouts[0] <= PerAttempt, $"first attempt sent grpc-timeout {sent.SentTimeouts[0]}");
        Assert.True(sent.SentTimeouts[1] > TimeSpan.FromSeconds(10), $"last attempt sent grpc-timeout {sent.SentTimeouts[1]}");
    }
}

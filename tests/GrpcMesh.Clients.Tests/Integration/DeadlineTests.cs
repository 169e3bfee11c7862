using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Clients.Tests.Integration;

public sealed class DeadlineTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_NoDeadlineGiven_ServerSeesTheDefaultDeadline()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        using var harness = new ClientHarness(server.Address, o => o.DefaultDeadline = TimeSpan.FromSeconds(3));
        var before = DateTime.UtcNow;

        await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" });

        var deadline = server.Backend.Calls.Single().Deadline;
        Assert.InRange(deadline, before + TimeSpan.FromSeconds(1), DateTime.UtcNow + TimeSpan.FromSeconds(3.1));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_PerMethodDeadline_ServerSeesIt()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        using var harness = new ClientHarness(server.Address, o =>
        {
            o.DefaultDeadline = TimeSpan.FromSeconds(60);
            o.MethodDeadlines["GetUser"] = TimeSpan.FromSeconds(2);
        });
        var before = DateTime.UtcNow;

        await harness.Client.GetUserAsync(new GetUserRequest { UserId = "u1" });

        Assert.InRange(server.Backend.Calls.Single().Deadline, before, DateTime.UtcNow + TimeSpan.FromSeconds(2.1));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_DeadlineAlreadyPassed_FailsFastWithoutReachingTheServer()
    {
        await using var server = await GrpcServer<FakeUserService>.StartAsync();
        using var harness = new ClientHarness(server.Address);

        await RpcAssert.ThrowsAsync(StatusCode.DeadlineExceeded,
            () => harness.Client.GetUserAsync(new GetUserRequest(), deadline: DateTime.UtcNow.AddSeconds(-1)));

        Assert.Equal(0, server.Backend.CallCount);
        Assert.Equal(1, harness.Metrics.Sum("grpcmesh.client.deadline.fail_fast"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ThroughAnotherService_InnerDeadlineNeverLaterThanTheOuterOne()
    {
        await using var inner = await GrpcServer<FakeUserService>.StartAsync();
        await using var outer = await StartRelayAsync(inner.Address);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(outer.Address);
        var client = new UserService.UserServiceClient(channel);

        await client.GetUserAsync(new GetUserRequest { UserId = "u1" }, deadline: DateTime.UtcNow.AddSeconds(2));

        var outerCall = outer.Backend.Calls.Single();
        var innerCall = inner.Backend.Calls.Single();
        Assert.True(outerCall.Deadline < DateTime.UtcNow.AddSeconds(2.1), $"outer deadline {outerCall.Deadline:o}");
        // The relay sent its call after its handler started, so the time it gave the inner call cannot exceed what the
        // outer call had left at that start, but for the header's rounding: grpc-dotnet rounds grpc-timeout up to three
        // significant figures (1,997 ms is sent as "2S"), so less than 1 % more. The inner server's own deadline would
        // also add the transit time, which has no bound on a busy machine, so the header is what is compared.
        var leftAtOuterStart = outerCall.Deadline - outerCall.ReceivedAtUtc;
        Assert.True(innerCall.SentTimeout <= leftAtOuterStart * 1.01 + TimeSpan.FromMilliseconds(1),
            $"inner call given {innerCall.GrpcTimeout}, but the outer call had {leftAtOuterStart.TotalMilliseconds:F1} ms left when the relay started it");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_OuterCallCancelled_InnerCallCancelled()
    {
        await using var inner = await GrpcServer<FakeUserService>.StartAsync();
        var innerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var innerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        inner.Backend.Behavior = async (_, context) =>
        {
            innerStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                innerCancelled.TrySetResult();
                throw;
            }
        };
        await using var outer = await StartRelayAsync(inner.Address);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(outer.Address);
        using var cancellation = new CancellationTokenSource();

        var call = new UserService.UserServiceClient(channel).GetUserAsync(new GetUserRequest(), cancellationToken: cancellation.Token);
        await innerStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await cancellation.CancelAsync();

        await innerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await RpcAssert.ThrowsAsync(StatusCode.Cancelled, () => call.ResponseAsync);
    }

    internal static Task<GrpcServer<RelayUserService>> StartRelayAsync(Uri innerAddress, Action<GrpcMesh.Clients.Options.GrpcMeshClientOptions>? configure = null) =>
        GrpcServer<RelayUserService>.StartAsync(services => services.AddUserServiceClient(o =>
        {
            o.Address = innerAddress;
            o.DefaultDeadline = TimeSpan.FromSeconds(30);
            o.Retry.InitialBackoff = TimeSpan.FromMilliseconds(1);
            o.Retry.MaxBackoff = TimeSpan.FromMilliseconds(5);
            configure?.Invoke(o);
        }));
}

using Grpc.Core;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class DeadlinePolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_NoCallerDeadline_GetsTheDefault()
    {
        using var unit = new UnitPipeline(_time, o => o.DefaultDeadline = TimeSpan.FromSeconds(4));

        await unit.Client().GetUserAsync(new GetUserRequest());

        Assert.Equal(Now + TimeSpan.FromSeconds(4), unit.Invoker.Calls.Single().Deadline);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_MethodDeadlineConfigured_UsesIt()
    {
        using var unit = new UnitPipeline(_time, o => o.MethodDeadlines["GetUser"] = TimeSpan.FromMilliseconds(750));

        await unit.Client().GetUserAsync(new GetUserRequest());
        await unit.Client().CreateUserAsync(new CreateUserRequest());

        Assert.Equal(Now + TimeSpan.FromMilliseconds(750), unit.Invoker.Calls[0].Deadline);
        Assert.Equal(Now + TimeSpan.FromSeconds(5), unit.Invoker.Calls[1].Deadline);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_CallerDeadline_IsKept()
    {
        using var unit = new UnitPipeline(_time);
        var callerDeadline = Now + TimeSpan.FromSeconds(60);

        await unit.Client().GetUserAsync(new GetUserRequest(), deadline: callerDeadline);

        Assert.Equal(callerDeadline, unit.Invoker.Calls.Single().Deadline);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_InsideServerCall_NeverLaterThanIncomingDeadlineAndInheritsCancellation()
    {
        using var incomingCancellation = new CancellationTokenSource();
        var incoming = new FakeServerCallContext(Now + TimeSpan.FromSeconds(1), incomingCancellation.Token);
        using var unit = new UnitPipeline(_time, o => o.DefaultDeadline = TimeSpan.FromSeconds(5), incoming);

        await unit.Client().GetUserAsync(new GetUserRequest(), deadline: Now + TimeSpan.FromSeconds(30));

        var sent = unit.Invoker.Calls.Single();
        Assert.Equal(Now + TimeSpan.FromSeconds(1), sent.Deadline);
        Assert.False(sent.CancellationToken.IsCancellationRequested);
        await incomingCancellation.CancelAsync();
        Assert.True(sent.CancellationToken.IsCancellationRequested);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_CallerTokenInsideServerCall_LinkedSoCallerCancelStillCancels()
    {
        using var incomingCancellation = new CancellationTokenSource();
        using var callerCancellation = new CancellationTokenSource();
        using var unit = new UnitPipeline(_time, serverCall: new FakeServerCallContext(DateTime.MaxValue, incomingCancellation.Token));
        var cancelledInFlight = false;
        unit.Invoker.Script = (_, options) =>
        {
            callerCancellation.Cancel();
            cancelledInFlight = options.CancellationToken.IsCancellationRequested;
            return null;
        };

        await unit.Client().GetUserAsync(new GetUserRequest(), cancellationToken: callerCancellation.Token);

        Assert.Equal(Now + TimeSpan.FromSeconds(5), unit.Invoker.Calls.Single().Deadline);
        Assert.True(cancelledInFlight);
        Assert.NotEqual(callerCancellation.Token, unit.Invoker.Calls.Single().CancellationToken);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_IncomingBudgetSpent_FailsFastWithoutSending()
    {
        var incoming = new FakeServerCallContext(Now - TimeSpan.FromMilliseconds(1), CancellationToken.None);
        using var unit = new UnitPipeline(_time, serverCall: incoming);

        var error = await RpcAssert.ThrowsAsync(StatusCode.DeadlineExceeded, () => unit.Client().GetUserAsync(new GetUserRequest()));

        Assert.Equal(0, unit.Invoker.CallCount);
        Assert.Contains("already passed", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, unit.Metrics.Sum("grpcmesh.client.deadline.fail_fast", ("method", "/grpcmesh.user.v1.UserService/GetUser")));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task AsyncUnaryCall_IncomingCallCancelled_FailsFastWithCancelled()
    {
        using var incomingCancellation = new CancellationTokenSource();
        await incomingCancellation.CancelAsync();
        using var unit = new UnitPipeline(_time, serverCall: new FakeServerCallContext(Now + TimeSpan.FromSeconds(5), incomingCancellation.Token));

        await RpcAssert.ThrowsAsync(StatusCode.Cancelled, () => unit.Client().GetUserAsync(new GetUserRequest()));

        Assert.Equal(0, unit.Invoker.CallCount);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public Task BlockingUnaryCall_NoCallerDeadline_GetsTheDefault() => TestTimeouts.RunSync(() =>
    {
        using var unit = new UnitPipeline(_time, o => o.DefaultDeadline = TimeSpan.FromSeconds(2));

        unit.Client().GetUser(new GetUserRequest());

        Assert.Equal(Now + TimeSpan.FromSeconds(2), unit.Invoker.Calls.Single().Deadline);
    }, TestContext.Current.CancellationToken);
}

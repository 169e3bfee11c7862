using Grpc.Core;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Clients.Tests.Fakes;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class RegistryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact(Timeout = TestTimeouts.Default)]
    public Task CircuitBreakerRegistry_SameTarget_SharedBreaker() => TestTimeouts.RunSync(() =>
    {
        using var telemetry = new GrpcMeshClientTelemetry();
        var registry = new CircuitBreakerRegistry(_time, telemetry, NullLoggerFactory.Instance);

        var first = registry.Get("http://127.0.0.1:5001", new GrpcMeshCircuitBreakerOptions());

        Assert.Same(first, registry.Get("http://127.0.0.1:5001", new GrpcMeshCircuitBreakerOptions { MinimumThroughput = 99 }));
        Assert.NotSame(first, registry.Get("http://127.0.0.1:5002", new GrpcMeshCircuitBreakerOptions()));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task RetryBudgetRegistry_SameTarget_SharedBudget() => TestTimeouts.RunSync(() =>
    {
        var registry = new RetryBudgetRegistry(_time);

        var first = registry.Get("http://127.0.0.1:5001", new GrpcMeshRetryOptions());

        Assert.Same(first, registry.Get("http://127.0.0.1:5001", new GrpcMeshRetryOptions()));
        Assert.NotSame(first, registry.Get("http://127.0.0.1:5002", new GrpcMeshRetryOptions()));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task FullPipeline_AlreadyCancelledToken_FailsWithCancelledStatus()
    {
        using var unit = new UnitPipeline(_time);
        unit.Invoker.Script = (_, options) => options.CancellationToken.IsCancellationRequested
            ? new RpcException(new Status(StatusCode.Cancelled, "cancelled"))
            : null;
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await RpcAssert.ThrowsAsync(StatusCode.Cancelled,
            () => unit.Client().GetUserAsync(new GetUserRequest(), cancellationToken: cancellation.Token));
    }
}

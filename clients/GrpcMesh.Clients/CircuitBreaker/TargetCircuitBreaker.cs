using System.Globalization;
using Grpc.Core;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.CircuitBreaker;

/// <summary>
/// The Polly circuit breaker of one target address. Failures: UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL and
/// connection-level exceptions. Every other outcome (OK and business errors such as NOT_FOUND, INVALID_ARGUMENT,
/// FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, PERMISSION_DENIED, UNAUTHENTICATED, RESOURCE_EXHAUSTED, CANCELLED)
/// counts as a success: the server answered, so it is up.
/// </summary>
internal sealed class TargetCircuitBreaker
{
    private readonly CircuitBreakerStateProvider _state = new();

    public TargetCircuitBreaker(string target, GrpcMeshCircuitBreakerOptions options, TimeProvider time, GrpcMeshClientTelemetry telemetry, ILogger logger)
    {
        Target = target;
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = time, Name = $"grpcmesh-breaker:{target}" }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = _state,
                ShouldHandle = static args => new ValueTask<bool>(IsFailure(args.Outcome.Exception)),
                OnOpened = args =>
                {
                    telemetry.BreakerStateChange(target, "open");
                    ClientLog.BreakerOpened(logger, target, args.BreakDuration.TotalMilliseconds, (args.Outcome.Exception as RpcException)?.StatusCode);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    telemetry.BreakerStateChange(target, "half_open");
                    ClientLog.BreakerHalfOpened(logger, target);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    telemetry.BreakerStateChange(target, "closed");
                    ClientLog.BreakerClosed(logger, target);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public string Target { get; }

    public ResiliencePipeline Pipeline { get; }

    public CircuitState State => _state.CircuitState;

    public static bool IsFailure(Exception? error) => StatusTaxonomy.IsBreakerFailure(StatusTaxonomy.KindOf(error));

    /// <summary>The UNAVAILABLE status a call gets while the circuit is open; carries the Polly exception as debug exception.</summary>
    public RpcException Rejection(BrokenCircuitException broken)
    {
        var retryAfter = broken.RetryAfter is { } after
            ? string.Create(CultureInfo.InvariantCulture, $"retry after {Math.Ceiling(after.TotalMilliseconds)} ms")
            : "retry after the probe call succeeds";
        return new RpcException(new Status(StatusCode.Unavailable, $"circuit open for {Target}; {retryAfter}", broken));
    }
}

using System.Globalization;
using Grpc.Core;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// The Polly circuit breaker of one target address, shared by every client to it. Failures are what
/// <see cref="StatusTaxonomy.IsBreakerFailure"/> says (UNAVAILABLE, DEADLINE_EXCEEDED, server errors, broken
/// connections); any other outcome shows the target is up. While the circuit is closed an attempt is sent directly and
/// its outcome reported afterwards (<see cref="ReportAsync"/>: Polly runs over the known outcome, allocation-free);
/// otherwise the attempt runs through Polly (<see cref="ExecuteAsync"/>), which either lets it through as the half-open
/// probe or refuses it at once with UNAVAILABLE ("circuit open for …; retry after …"), a status never retried.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly ResiliencePipeline _pipeline;
    private readonly GrpcMeshClientTelemetry _telemetry;

    public CircuitBreaker(string target, GrpcMeshCircuitBreakerOptions options, TimeProvider time, GrpcMeshClientTelemetry telemetry, ILogger logger)
    {
        Target = target;
        _telemetry = telemetry;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time, Name = $"grpcmesh-breaker:{target}" }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = _state,
                ShouldHandle = static args => new ValueTask<bool>(StatusTaxonomy.IsBreakerFailure(StatusTaxonomy.KindOf(args.Outcome.Exception))),
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
        telemetry.Track(this);
    }

    public string Target { get; }

    public CircuitState State => _state.CircuitState;

    /// <summary>Closed: attempts are sent directly and report their outcome afterwards.</summary>
    public bool IsClosed => State == CircuitState.Closed;

    /// <summary>Open or isolated: calls are refused without a request.</summary>
    public bool IsOpen => State is CircuitState.Open or CircuitState.Isolated;

    /// <summary>
    /// Records the outcome (<paramref name="failure"/>, null for success) of an attempt sent while the circuit was closed.
    /// Outcomes arriving after the circuit left the closed state are dropped, as Polly drops those of calls it refuses: a
    /// call sent before the circuit opened must not become the half-open probe. The returned task is complete unless the
    /// outcome changed the circuit's state; then it completes once the breaker's callbacks (log, metrics) have run.
    /// </summary>
    public ValueTask ReportAsync(Exception? failure)
    {
        if (!IsClosed)
        {
            return default;
        }

        var context = ResilienceContextPool.Shared.Get();
        var outcome = failure is null ? Outcome.FromResult(true) : Outcome.FromException<bool>(failure);
        var pending = _pipeline.ExecuteOutcomeAsync(static (_, known) => new ValueTask<Outcome<bool>>(known), context, outcome);
        if (pending.IsCompletedSuccessfully)
        {
            ResilienceContextPool.Shared.Return(context); // a BrokenCircuitException in the result: the circuit opened meanwhile
            return default;
        }

        return AwaitReportAsync(pending, context);
    }

    /// <summary>
    /// Runs one attempt through Polly while the circuit is not closed: refused (as <see cref="Reject"/>) while open, let
    /// through as the probe when half-open. <paramref name="send"/> sends the attempt and returns its outcome.
    /// </summary>
    public async ValueTask<Outcome<TResponse>> ExecuteAsync<TResponse, TState>(
        Func<TState, ValueTask<Outcome<TResponse>>> send, TState state, string method, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(static (_, s) => s.send(s.state), context, (send, state)).ConfigureAwait(false);
            return outcome.Exception switch
            {
                BrokenCircuitException broken => Outcome.FromException<TResponse>(Reject(broken, method)),
                OperationCanceledException => Outcome.FromException<TResponse>(
                    new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled before it was sent."))),
                _ => outcome,
            };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Counts a call refused because the circuit is open and returns the UNAVAILABLE it fails with (Polly's exception as its debug exception).</summary>
    public RpcException Reject(BrokenCircuitException? broken, string method)
    {
        _telemetry.BreakerRejection(Target, method);
        broken ??= new BrokenCircuitException("The circuit is open.");
        var retryAfter = broken.RetryAfter is { } after
            ? string.Create(CultureInfo.InvariantCulture, $"retry after {Math.Ceiling(after.TotalMilliseconds)} ms")
            : "retry after the probe call succeeds";
        return new RpcException(new Status(StatusCode.Unavailable, $"circuit open for {Target}; {retryAfter}", broken));
    }

    private static async ValueTask AwaitReportAsync(ValueTask<Outcome<bool>> pending, ResilienceContext context)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}

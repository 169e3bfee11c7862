using Grpc.Core;
using GrpcMesh.Clients.CircuitBreaker;
using Polly;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Interceptors;

/// <summary>
/// Circuit-breaker stage of <see cref="ResilienceInterceptor"/> (the innermost, per attempt), over the target's Polly
/// circuit breaker. While the circuit is closed an attempt is sent directly and its outcome reported to the breaker
/// afterwards (<see cref="ReportAsync"/>: Polly runs over the known outcome, allocation-free); otherwise the attempt runs
/// through the breaker (<see cref="ExecuteAsync"/>), which either lets it through as the half-open probe or fails it at
/// once with UNAVAILABLE ("circuit open for …; retry after …") without a request — a status the retry stage does not
/// retry. Streaming calls are only gated (refused while open), since their outcome is known only when the stream ends.
/// </summary>
internal sealed class CircuitBreakerStage(ClientPipeline pipeline, TargetCircuitBreaker breaker)
{
    /// <summary>Closed: attempts may go around Polly and report their outcome afterwards.</summary>
    public bool IsClosed => breaker.State == CircuitState.Closed;

    /// <summary>Open or isolated: streaming calls are refused.</summary>
    public bool IsOpen => breaker.State is CircuitState.Open or CircuitState.Isolated;

    /// <summary>
    /// Records the outcome of an attempt sent while the circuit was closed. Outcomes arriving after the circuit left
    /// the closed state are dropped, as Polly drops those of calls it rejects: a call sent before the circuit opened
    /// must not become the half-open probe. The returned task is complete unless the outcome changed the circuit's
    /// state, in which case it completes once the breaker's callbacks (log, metrics) have run.
    /// </summary>
    public ValueTask ReportAsync<TResponse>(Outcome<TResponse> outcome)
    {
        if (!IsClosed)
        {
            return default;
        }

        var context = ResilienceContextPool.Shared.Get();
        var pending = breaker.Pipeline.ExecuteOutcomeAsync(static (_, known) => new ValueTask<Outcome<TResponse>>(known), context, outcome);
        if (pending.IsCompletedSuccessfully)
        {
            _ = pending.Result; // a BrokenCircuitException here means the circuit opened meanwhile: nothing to record
            ResilienceContextPool.Shared.Return(context);
            return default;
        }

        return AwaitReportAsync(pending, context);
    }

    /// <summary>
    /// Sends one attempt through the Polly breaker: rejected (as <see cref="TargetCircuitBreaker.Rejection"/>) while open, let through as
    /// the probe when half-open. <paramref name="send"/> returns the attempt's outcome.
    /// </summary>
    public async ValueTask<Outcome<TResponse>> ExecuteAsync<TResponse, TState>(
        Func<TState, ValueTask<Outcome<TResponse>>> send, TState state, string method, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await breaker.Pipeline.ExecuteOutcomeAsync(
                static (_, s) => s.send(s.state), context, (send, state)).ConfigureAwait(false);
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

    /// <summary>The blocking counterpart of <see cref="ExecuteAsync"/>: throws the rejection while the circuit is open.</summary>
    public TResponse Execute<TResponse, TState>(Func<TState, TResponse> send, TState state, string method)
    {
        try
        {
            return breaker.Pipeline.Execute(static s => s.send(s.state), (send, state));
        }
        catch (BrokenCircuitException broken)
        {
            throw Reject(broken, method);
        }
    }

    /// <summary>Counts a call refused because the circuit is open and returns the status it fails with.</summary>
    public RpcException Reject(BrokenCircuitException? broken, string method)
    {
        pipeline.Telemetry.BreakerRejection(breaker.Target, method);
        return breaker.Rejection(broken ?? new BrokenCircuitException("The circuit is open."));
    }

    private static async ValueTask AwaitReportAsync<TResponse>(ValueTask<Outcome<TResponse>> pending, ResilienceContext context)
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

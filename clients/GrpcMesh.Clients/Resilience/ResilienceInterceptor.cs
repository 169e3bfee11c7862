using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Context;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// The one gRPC interceptor of a GrpcMesh client (one rather than three because Grpc.Core.Api allocates a continuation
/// per interceptor per call). A unary call goes, outermost first: <see cref="DeadlinePolicy"/> (every call gets a
/// deadline, never later than the server call it serves) → <see cref="RetryPolicy"/> (budgeted) →
/// <see cref="CircuitBreaker"/> (per target) → the attempt, carrying the server call's <see cref="Criticality"/>; <see cref="ResilientUnaryCall{TRequest,TResponse}"/> runs the
/// attempts, or <see cref="HedgedUnaryCall{TRequest,TResponse}"/> when a <c>NO_SIDE_EFFECTS</c> method is hedged. Streaming calls get the deadline and are refused while the circuit is open; they are not retried.
/// </summary>
internal sealed class ResilienceInterceptor : Interceptor
{
    private readonly ClientSetup _client;
    private readonly IServerCallContextAccessor _serverCall;
    private readonly DeadlinePolicy _deadline;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LatencyWindow> _latencies = new(StringComparer.Ordinal);

    public ResilienceInterceptor(
        ClientSetup client,
        TimeProvider time,
        GrpcMeshClientTelemetry telemetry,
        ILogger logger,
        RetryBudget budget,
        CircuitBreaker? breaker,
        IServerCallContextAccessor serverCall,
        Func<double>? random = null)
    {
        _client = client;
        _serverCall = serverCall;
        _deadline = new DeadlinePolicy(client, time, telemetry, logger);
        Time = time;
        Retry = new RetryPolicy(client, budget, time, telemetry, logger, random ?? Random.Shared.NextDouble);
        Breaker = breaker;
    }

    public TimeProvider Time { get; }

    public RetryPolicy Retry { get; }

    /// <summary>Null when the client's breaker is disabled.</summary>
    public CircuitBreaker? Breaker { get; }

    public Options.GrpcMeshHedgingOptions Hedging => _client.Options.Hedging;

    /// <summary>The hedge delay of <paramref name="method"/>: <see cref="Hedging"/>'s fixed delay, or its observed percentile.</summary>
    public TimeSpan HedgeDelay(string method) =>
        Hedging.DelayPercentile is not null && _latencies.TryGetValue(method, out var window) && window.Percentile is { } observed
            ? observed > Hedging.MinDelay ? observed : Hedging.MinDelay
            : Hedging.Delay;

    /// <summary>Records how long an answered attempt of <paramref name="method"/> took, for <see cref="HedgeDelay"/>.</summary>
    public void RecordAnswered(string method, TimeSpan latency)
    {
        if (Hedging.DelayPercentile is { } percentile)
        {
            _latencies.GetOrAdd(method, static (_, p) => new LatencyWindow(p), percentile).Record(latency);
        }
    }

    /// <summary>Endpoint table of a round-robin balanced target; null otherwise.</summary>
    public EndpointTable? Endpoints => _client.Endpoints;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var incoming = _serverCall.ServerCallContext;
        context = Criticality.Inherit(context, incoming);
        if (!_deadline.TryApply(ref context, incoming, streaming: false, out var failure, out var linked))
        {
            return FailedCalls.Unary<TResponse>(failure);
        }

        var mayRetry = Retry.Admit(ref context, incoming);
        if (mayRetry && Breaker is not { IsClosed: false } && Retry.MayHedge(context.Method.FullName))
        {
            return new HedgedUnaryCall<TRequest, TResponse>(this, request, context, continuation, linked).Start();
        }

        if (!mayRetry && Breaker is null && Endpoints is null && linked is null)
        {
            return continuation(request, context); // nothing to add once the deadline is set
        }

        return new ResilientUnaryCall<TRequest, TResponse>(this, request, context, continuation, mayRetry, linked).Start();
    }

    /// <summary>The same path as <see cref="AsyncUnaryCall{TRequest,TResponse}"/>, waited for; each attempt is a blocking call.</summary>
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        AsyncUnaryCall(request, context, (r, c) => Completed(() => continuation(r, c))).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryStartStreaming(ref context, out var failure, out var linked))
        {
            return FailedCalls.ServerStreaming<TResponse>(failure);
        }

        var call = continuation(request, context);
        return linked is null ? call : new AsyncServerStreamingCall<TResponse>(
            call.ResponseStream, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, DisposeBoth(call, linked));
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryStartStreaming(ref context, out var failure, out var linked))
        {
            return FailedCalls.ClientStreaming<TRequest, TResponse>(failure);
        }

        var call = continuation(context);
        return linked is null ? call : new AsyncClientStreamingCall<TRequest, TResponse>(
            call.RequestStream, call.ResponseAsync, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, DisposeBoth(call, linked));
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryStartStreaming(ref context, out var failure, out var linked))
        {
            return FailedCalls.DuplexStreaming<TRequest, TResponse>(failure);
        }

        var call = continuation(context);
        return linked is null ? call : new AsyncDuplexStreamingCall<TRequest, TResponse>(
            call.RequestStream, call.ResponseStream, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, DisposeBoth(call, linked));
    }

    private static Action DisposeBoth(IDisposable call, IDisposable linked) => () =>
    {
        call.Dispose();
        linked.Dispose();
    };

    /// <summary>Streaming calls: the deadline, and refused while the circuit is open.</summary>
    private bool TryStartStreaming<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, out RpcException failure, out CancellationTokenSource? linked)
        where TRequest : class
        where TResponse : class
    {
        context = Criticality.Inherit(context, _serverCall.ServerCallContext);
        if (!_deadline.TryApply(ref context, _serverCall.ServerCallContext, streaming: true, out failure, out linked))
        {
            return false;
        }

        if (Breaker is { IsOpen: true } breaker)
        {
            linked?.Dispose();
            linked = null;
            failure = breaker.Reject(null, context.Method.FullName);
            return false;
        }

        return true;
    }

    /// <summary>A blocking attempt as an already completed call.</summary>
    private static AsyncUnaryCall<TResponse> Completed<TResponse>(Func<TResponse> blocking)
    {
        Task<TResponse> response;
        try
        {
            response = Task.FromResult(blocking());
        }
        catch (Exception e)
        {
            response = Task.FromException<TResponse>(e);
        }

        var error = response.Exception?.InnerException as RpcException;
        return new AsyncUnaryCall<TResponse>(
            response, Task.FromResult(new Metadata()), () => error?.Status ?? Status.DefaultSuccess, () => error?.Trailers ?? [], static () => { });
    }
}

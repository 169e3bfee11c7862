using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Calls;
using GrpcMesh.Clients.Context;
using Polly;

namespace GrpcMesh.Clients.Interceptors;

/// <summary>
/// The one gRPC interceptor of a GrpcMesh client. It applies, outermost first, the <see cref="DeadlineStage"/>, the
/// <see cref="RetryStage"/> (Polly retry, budgeted) and the <see cref="CircuitBreakerStage"/> (Polly breaker per target)
/// — one interceptor rather than three because Grpc.Core.Api allocates a continuation per interceptor per call.
/// Happy path of a unary call: compute the deadline, check that the circuit is closed, send; if the response is already
/// there, report its outcome to the breaker and return the call as it is; otherwise return one small wrapper that does
/// so when the response arrives. Only a first attempt failing in a retryable way, or a circuit that is not closed
/// (open: refused; half-open: the probe), goes through the Polly pipelines.
/// </summary>
internal sealed class ResilienceInterceptor : Interceptor
{
    private readonly IServerCallContextAccessor _serverCall;
    private readonly DeadlineStage _deadline;

    public ResilienceInterceptor(ClientPipeline pipeline, IServerCallContextAccessor serverCall)
    {
        Pipeline = pipeline;
        _serverCall = serverCall;
        _deadline = new DeadlineStage(pipeline);
        Retry = new RetryStage(pipeline);
        Breaker = pipeline.Breaker is { } breaker ? new CircuitBreakerStage(pipeline, breaker) : null;
    }

    public ClientPipeline Pipeline { get; }

    public RetryStage Retry { get; }

    /// <summary>Null when the client's breaker is disabled.</summary>
    public CircuitBreakerStage? Breaker { get; }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var incoming = _serverCall.ServerCallContext;
        if (!_deadline.TryApply(ref context, incoming, streaming: false, out var failure, out var linked))
        {
            return FailedCalls.Unary<TResponse>(failure);
        }

        var canRetry = Retry.Admit(ref context, incoming);
        var endpoints = Pipeline.Endpoints;
        var trail = endpoints is not null && canRetry ? new AttemptTrail() : null;
        var breaker = Breaker;
        if (breaker is { IsClosed: false })
        {
            return NewCall(request, context, continuation, canRetry, trail, linked).StartThroughPolly();
        }

        var call = SendFirst(request, context, continuation, endpoints, trail, linked);
        var response = call.ResponseAsync;
        if (!response.IsCompleted)
        {
            return breaker is null && !canRetry && linked is null
                ? call
                : NewCall(request, context, continuation, canRetry, trail, linked).StartAfter(call);
        }

        // Completed synchronously: report now, and return the call itself unless a retry may follow.
        if (response.IsCompletedSuccessfully)
        {
            linked?.Dispose();
            var result = response.Result;
            var reported = breaker?.ReportAsync(Outcome.FromResult(result)) ?? default;
            return reported.IsCompletedSuccessfully
                ? call
                : NewCall(request, context, continuation, canRetry, trail, linked: null).StartAfterSuccess(call, result, reported);
        }

        var error = response.Exception?.InnerException ?? new TaskCanceledException(response);
        var report = breaker?.ReportAsync(Outcome.FromException<TResponse>(error)) ?? default;
        if (report.IsCompletedSuccessfully && !(canRetry && Retry.MayRetry(error, request, context.Method.FullName)))
        {
            linked?.Dispose();
            return call;
        }

        return NewCall(request, context, continuation, canRetry, trail, linked).StartAfterFailure(call, error, report);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var incoming = _serverCall.ServerCallContext;
        if (!_deadline.TryApply(ref context, incoming, streaming: false, out var failure, out var linked))
        {
            throw failure;
        }

        using (linked)
        {
            if (!Retry.Admit(ref context, incoming))
            {
                return SendBlocking(request, context, continuation);
            }

            return Retry.Execute(request, context, attemptContext => SendBlocking(request, attemptContext, continuation));
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryStartStreaming(ref context, out var failure, out var linked))
        {
            return FailedCalls.ServerStreaming<TResponse>(failure);
        }

        var call = continuation(request, context);
        return linked is null ? call : new AsyncServerStreamingCall<TResponse>(
            call.ResponseStream, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => { call.Dispose(); linked.Dispose(); });
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
            call.RequestStream, call.ResponseAsync, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => { call.Dispose(); linked.Dispose(); });
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
            call.RequestStream, call.ResponseStream, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => { call.Dispose(); linked.Dispose(); });
    }

    /// <summary>Streaming calls: deadline, and refused while the circuit is open; not retried.</summary>
    private bool TryStartStreaming<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, out RpcException failure, out CancellationTokenSource? linked)
        where TRequest : class
        where TResponse : class
    {
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

    /// <summary>The first attempt, around Polly; on a balanced target its pick is recorded in <paramref name="trail"/>.</summary>
    private static AsyncUnaryCall<TResponse> SendFirst<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation,
        EndpointTable? endpoints,
        AttemptTrail? trail,
        CancellationTokenSource? linked)
        where TRequest : class
        where TResponse : class
    {
        if (endpoints is null || trail is null)
        {
            return Send(request, context, continuation, linked);
        }

        // The call's async flow captures the trail when it starts; the caller's flow gets its own value back.
        var outer = endpoints.Trail.Value;
        endpoints.Trail.Value = trail;
        try
        {
            return Send(request, context, continuation, linked);
        }
        finally
        {
            endpoints.Trail.Value = outer;
        }
    }

    private static AsyncUnaryCall<TResponse> Send<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation,
        CancellationTokenSource? linked)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            return continuation(request, context);
        }
        catch
        {
            linked?.Dispose();
            throw;
        }
    }

    private ResilientUnaryCall<TRequest, TResponse> NewCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation,
        bool canRetry,
        AttemptTrail? trail,
        CancellationTokenSource? linked)
        where TRequest : class
        where TResponse : class =>
        new(this, canRetry, trail, linked, request, context, continuation);

    private TResponse SendBlocking<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class =>
        Breaker is null
            ? continuation(request, context)
            : Breaker.Execute(static s => s.continuation(s.request, s.context), (request, context, continuation), context.Method.FullName);
}

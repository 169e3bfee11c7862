using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Calls;
using GrpcMesh.Clients.Context;
using GrpcMesh.Clients.Telemetry;

namespace GrpcMesh.Clients.Interceptors;

/// <summary>
/// Outermost interceptor: gives every call a deadline — the caller's, else the method's configured one, else the
/// client default — and, inside a server call, never later than the incoming call's deadline, cancelled with it.
/// A call whose deadline has already passed fails with DEADLINE_EXCEEDED without a request.
/// </summary>
internal sealed class DeadlineInterceptor(ClientPipeline pipeline, IServerCallContextAccessor serverCall) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryApply(ref context, streaming: false, out var failure, out var linked))
        {
            return FailedCalls.Unary<TResponse>(failure);
        }

        var call = continuation(request, context);
        if (linked is not null)
        {
            call.ResponseAsync.ContinueWith(static (_, state) => ((IDisposable)state!).Dispose(), linked,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return call;
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryApply(ref context, streaming: false, out var failure, out var linked))
        {
            throw failure;
        }

        using (linked)
        {
            return continuation(request, context);
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryApply(ref context, streaming: true, out var failure, out var linked))
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
        if (!TryApply(ref context, streaming: true, out var failure, out var linked))
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
        if (!TryApply(ref context, streaming: true, out var failure, out var linked))
        {
            return FailedCalls.DuplexStreaming<TRequest, TResponse>(failure);
        }

        var call = continuation(context);
        return linked is null ? call : new AsyncDuplexStreamingCall<TRequest, TResponse>(
            call.RequestStream, call.ResponseStream, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => { call.Dispose(); linked.Dispose(); });
    }

    /// <summary>
    /// Sets the effective deadline and cancellation on <paramref name="context"/>. Returns false (with the status to
    /// fail with) when the time budget is already spent or the incoming call was cancelled.
    /// <paramref name="linked"/> is set when the caller's and the incoming call's tokens had to be combined; the
    /// caller disposes it when the call ends.
    /// </summary>
    private bool TryApply<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, bool streaming, out RpcException failure, out CancellationTokenSource? linked)
        where TRequest : class
        where TResponse : class
    {
        failure = null!;
        linked = null;
        var options = context.Options;
        var now = pipeline.Time.GetUtcNow().UtcDateTime;
        var deadline = options.Deadline is { } explicitDeadline && explicitDeadline != DateTime.MaxValue
            ? (explicitDeadline.Kind == DateTimeKind.Local ? explicitDeadline.ToUniversalTime() : explicitDeadline)
            : now + pipeline.Methods.Get(context.Method.FullName, streaming).Deadline;

        var incoming = serverCall.ServerCallContext;
        if (incoming is not null && incoming.Deadline < deadline)
        {
            deadline = incoming.Deadline;
        }

        if (deadline <= now)
        {
            pipeline.Telemetry.DeadlineFailFast(pipeline.Target, context.Method.FullName);
            ClientLog.DeadlineFailFast(pipeline.Logger, context.Method.FullName, pipeline.Target, deadline);
            failure = new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"{context.Method.FullName} not sent to {pipeline.Target}: its deadline {deadline:o} had already passed."));
            return false;
        }

        var token = options.CancellationToken;
        if (incoming is not null)
        {
            var incomingToken = incoming.CancellationToken;
            if (incomingToken.IsCancellationRequested)
            {
                failure = new RpcException(new Status(StatusCode.Cancelled,
                    $"{context.Method.FullName} not sent to {pipeline.Target}: the incoming call it serves was cancelled."));
                return false;
            }

            if (!token.CanBeCanceled || token == incomingToken)
            {
                token = incomingToken;
            }
            else if (incomingToken.CanBeCanceled)
            {
                linked = CancellationTokenSource.CreateLinkedTokenSource(token, incomingToken);
                token = linked.Token;
            }
        }

        context = new ClientInterceptorContext<TRequest, TResponse>(
            context.Method, context.Host, options.WithDeadline(deadline).WithCancellationToken(token));
        return true;
    }
}

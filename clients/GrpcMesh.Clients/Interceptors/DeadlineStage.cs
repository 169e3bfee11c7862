using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Telemetry;

namespace GrpcMesh.Clients.Interceptors;

/// <summary>
/// Deadline stage of <see cref="ResilienceInterceptor"/> (the outermost): gives every call a deadline — the caller's,
/// else the method's configured one, else the client default — and, inside a server call, never later than the
/// incoming call's deadline, cancelled with it. A call whose deadline has already passed fails with DEADLINE_EXCEEDED
/// without a request. Allocation-free unless the caller's and the incoming call's tokens must be linked.
/// </summary>
internal sealed class DeadlineStage(ClientPipeline pipeline)
{
    /// <summary>
    /// Sets the effective deadline and cancellation on <paramref name="context"/>. Returns false (with the status to
    /// fail with) when the time budget is already spent or the incoming call was cancelled.
    /// <paramref name="linked"/> is set when the caller's and the incoming call's tokens had to be combined; the
    /// caller disposes it when the call ends.
    /// </summary>
    public bool TryApply<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context,
        ServerCallContext? incoming,
        bool streaming,
        out RpcException failure,
        out CancellationTokenSource? linked)
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

        if (incoming is not null && incoming.Deadline < deadline)
        {
            deadline = incoming.Deadline;
        }

        if (deadline <= now)
        {
            pipeline.Telemetry.DeadlineFailFast(pipeline.Target.Key, context.Method.FullName);
            ClientLog.DeadlineFailFast(pipeline.Logger, context.Method.FullName, pipeline.Target.Key, deadline);
            failure = new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"{context.Method.FullName} not sent to {pipeline.Target.Key}: its deadline {deadline:o} had already passed."));
            return false;
        }

        var token = options.CancellationToken;
        if (incoming is not null)
        {
            var incomingToken = incoming.CancellationToken;
            if (incomingToken.IsCancellationRequested)
            {
                failure = new RpcException(new Status(StatusCode.Cancelled,
                    $"{context.Method.FullName} not sent to {pipeline.Target.Key}: the incoming call it serves was cancelled."));
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

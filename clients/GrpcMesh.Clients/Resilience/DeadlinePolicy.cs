using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// Gives every call a deadline — the caller's, else the method's configured one, else the client default — and, inside a
/// server call, never later than the incoming call's deadline, cancelled with it. A call whose deadline has already
/// passed fails with DEADLINE_EXCEEDED without a request.
/// </summary>
internal sealed class DeadlinePolicy(ClientSetup client, TimeProvider time, GrpcMeshClientTelemetry telemetry, ILogger logger)
{
    /// <summary>
    /// Sets the effective deadline and cancellation on <paramref name="context"/>. Returns false (with the status to
    /// fail with) when the time budget is already spent or the incoming call was cancelled. <paramref name="linked"/> is
    /// set when the caller's and the incoming call's tokens had to be combined; dispose it when the call ends.
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
        var method = context.Method.FullName;
        var now = time.GetUtcNow().UtcDateTime;
        var deadline = options.Deadline is { } explicitDeadline && explicitDeadline != DateTime.MaxValue
            ? (explicitDeadline.Kind == DateTimeKind.Local ? explicitDeadline.ToUniversalTime() : explicitDeadline)
            : now + client.Methods.Get(method, streaming).Deadline;

        if (incoming is not null && incoming.Deadline < deadline)
        {
            deadline = incoming.Deadline;
        }

        if (deadline <= now)
        {
            telemetry.DeadlineFailFast(client.Target.Key, method);
            ClientLog.DeadlineFailFast(logger, method, client.Target.Key, deadline);
            failure = new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"{method} not sent to {client.Target.Key}: its deadline {deadline:o} had already passed."));
            return false;
        }

        var token = options.CancellationToken;
        if (incoming is not null)
        {
            var incomingToken = incoming.CancellationToken;
            if (incomingToken.IsCancellationRequested)
            {
                failure = new RpcException(new Status(StatusCode.Cancelled,
                    $"{method} not sent to {client.Target.Key}: the incoming call it serves was cancelled."));
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

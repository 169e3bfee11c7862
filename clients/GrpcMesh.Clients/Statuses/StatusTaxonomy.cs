using System.Net.Sockets;
using Grpc.Core;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Statuses;

/// <summary>
/// The one answer to "what does this status mean for retry, the breaker and the endpoint?", used by every part of the
/// client and by callers that map downstream failures. One row per <see cref="StatusKind"/>:
/// <list type="table">
/// <listheader><term>kind</term><description>retried · breaker failure · endpoint failure</description></listheader>
/// <item><term>Success, Refusal, CredentialRefusal, Conflict</term><description>no · no · no (the callee answered)</description></item>
/// <item><term>Overload</term><description>only when safe to repeat and the server sent a pushback · no · no</description></item>
/// <item><term>Unavailable</term><description>when safe to repeat, or the request provably never left · yes · yes</description></item>
/// <item><term>Timeout</term><description>no (the budget is spent) · yes · yes (a slow endpoint)</description></item>
/// <item><term>Cancelled</term><description>no · no · not counted</description></item>
/// <item><term>ServerError</term><description>no · yes · no (the endpoint answered)</description></item>
/// <item><term>CircuitOpen</term><description>no (fails fast on purpose) · not counted · not counted</description></item>
/// </list>
/// </summary>
public static class StatusTaxonomy
{
    /// <summary>The kind of a status code a callee sent.</summary>
    public static StatusKind KindOf(StatusCode code) => code switch
    {
        StatusCode.OK => StatusKind.Success,
        StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusKind.Refusal,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => StatusKind.CredentialRefusal,
        StatusCode.AlreadyExists or StatusCode.Aborted or StatusCode.Unimplemented => StatusKind.Conflict,
        StatusCode.ResourceExhausted => StatusKind.Overload,
        StatusCode.Unavailable => StatusKind.Unavailable,
        StatusCode.DeadlineExceeded => StatusKind.Timeout,
        StatusCode.Cancelled => StatusKind.Cancelled,
        _ => StatusKind.ServerError, // Internal, Unknown, DataLoss
    };

    /// <summary>
    /// The kind of a call's failure: its status, read through what Grpc.Net.Client makes up. A status a server sent never
    /// carries a debug exception; an INTERNAL caused by a transport exception (a reset during the HTTP/2 handshake, a
    /// stream reset) is a broken connection, so <see cref="StatusKind.Unavailable"/>. Exceptions that are not an
    /// <see cref="RpcException"/>: cancellation → Cancelled, transport → Unavailable; null → Success.
    /// </summary>
    public static StatusKind KindOf(Exception? error) => error switch
    {
        null => StatusKind.Success,
        RpcException { Status.DebugException: BrokenCircuitException } => StatusKind.CircuitOpen,
        RpcException { StatusCode: StatusCode.Internal } rpc when HasTransportCause(rpc.Status.DebugException) => StatusKind.Unavailable,
        RpcException rpc => KindOf(rpc.StatusCode),
        OperationCanceledException => StatusKind.Cancelled,
        HttpRequestException or IOException or SocketException => StatusKind.Unavailable,
        _ => StatusKind.ServerError,
    };

    /// <summary>Counts as a failure for the target's circuit breaker (every other outcome shows the target is up).</summary>
    public static bool IsBreakerFailure(StatusKind kind) => kind is StatusKind.Unavailable or StatusKind.Timeout or StatusKind.ServerError;

    /// <summary>Counts as a failure of the endpoint the attempt went to (outlier ejection).</summary>
    public static bool IsEndpointFailure(StatusKind kind) => kind is StatusKind.Unavailable or StatusKind.Timeout;

    /// <summary>Says something about the endpoint at all (a cancelled call or one refused by the breaker does not).</summary>
    public static bool IsEndpointOutcome(StatusKind kind) => kind is not (StatusKind.Cancelled or StatusKind.CircuitOpen);

    /// <summary>
    /// Whether a failure of this kind may be retried, before attempts, deadline and budget are considered.
    /// <paramref name="safeToRepeat"/>: the RPC is idempotent or the request carries an idempotency key;
    /// <paramref name="neverSent"/>: the request provably never left this process; <paramref name="hasPushback"/>: the
    /// server sent a non-negative <c>grpc-retry-pushback-ms</c>.
    /// </summary>
    public static bool IsRetryable(StatusKind kind, bool safeToRepeat, bool neverSent, bool hasPushback) => kind switch
    {
        StatusKind.Unavailable => safeToRepeat || neverSent,
        StatusKind.Overload => safeToRepeat && hasPushback,
        _ => false,
    };

    /// <summary>
    /// True when no server handler can have seen the request. Either the call failed while connecting, before any byte
    /// was written (SocketsHttpHandler reports a name resolution, connection or TLS error, which Grpc.Net.Client keeps as
    /// the status' debug exception), or the server refused it with a graceful close (an HTTP/2 GOAWAY with NO_ERROR)
    /// before any response: a server closing gracefully finishes every call it took, so an unanswered one was not taken.
    /// Kestrel closes an idle connection at <c>Connections:MaxAge</c> or shutdown with a single GOAWAY, so a call sent
    /// at that instant meets this. Other failures on an established connection are not included.
    /// </summary>
    public static bool NeverSent(RpcException error)
    {
        if (error.Status.DebugException is HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError, InnerException: HttpProtocolException { ErrorCode: 0 } })
        {
            return true; // HttpRequestException: the send failed before response headers; error code 0: NO_ERROR
        }

        for (var ex = error.Status.DebugException; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable }:
                    return true;
            }
        }

        return false;
    }

    private static bool HasTransportCause(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException or IOException or SocketException)
            {
                return true;
            }
        }

        return false;
    }
}

using System.Globalization;
using System.Net.Sockets;
using Grpc.Core;
using GrpcMesh.Clients.Calls;
using GrpcMesh.Clients.Options;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Retry;

/// <summary>The pure rules of the retry interceptor: which failures may be retried, pushback and backoff.</summary>
internal static class RetryRules
{
    /// <summary>Outcome of reading a failure.</summary>
    public enum Verdict
    {
        /// <summary>Do not retry.</summary>
        Stop,

        /// <summary>Retry after the computed backoff.</summary>
        Backoff,

        /// <summary>Retry after the server's pushback delay.</summary>
        Pushback,
    }

    /// <summary>
    /// Decides whether <paramref name="error"/> may be retried. <paramref name="safeToRepeat"/>: the RPC is idempotent
    /// or carries an idempotency key. Rules:
    /// UNAVAILABLE (or an INTERNAL the client made up from a broken connection, see <see cref="TransportFailures"/>) →
    /// retry if safe to repeat, or if the request provably never left this process (connection refused, DNS or TLS
    /// failure); RESOURCE_EXHAUSTED → only when safe to repeat and the server sent a non-negative pushback;
    /// a negative or unreadable pushback stops retries for any code; an open circuit is never retried (it fails fast
    /// on purpose); everything else (DEADLINE_EXCEEDED, business errors, CANCELLED…) is final.
    /// </summary>
    public static Verdict Classify(RpcException error, bool safeToRepeat, out TimeSpan pushback)
    {
        pushback = TimeSpan.Zero;
        if (error.Status.DebugException is BrokenCircuitException)
        {
            return Verdict.Stop;
        }

        var code = TransportFailures.IsClientMadeInternal(error) ? StatusCode.Unavailable : error.StatusCode;
        var retryable = code switch
        {
            StatusCode.Unavailable => safeToRepeat || NeverSent(error),
            StatusCode.ResourceExhausted => safeToRepeat,
            _ => false,
        };
        if (!retryable)
        {
            return Verdict.Stop;
        }

        var pushbackValue = error.Trailers.GetValue(GrpcMeshMetadata.RetryPushback);
        if (pushbackValue is null)
        {
            return code == StatusCode.ResourceExhausted ? Verdict.Stop : Verdict.Backoff;
        }

        if (!int.TryParse(pushbackValue, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return Verdict.Stop; // negative or malformed: the server says "do not retry"
        }

        pushback = TimeSpan.FromMilliseconds(ms);
        return Verdict.Pushback;
    }

    /// <summary>
    /// True when the failure happened while connecting, before any byte of the request was written: SocketsHttpHandler
    /// reports those as <see cref="HttpRequestException"/> with <see cref="HttpRequestError.NameResolutionError"/>,
    /// <see cref="HttpRequestError.ConnectionError"/> or <see cref="HttpRequestError.SecureConnectionError"/>, which
    /// Grpc.Net.Client keeps as the status' debug exception. Failures on an established connection are not included.
    /// </summary>
    public static bool NeverSent(RpcException error)
    {
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

    /// <summary>Exponential backoff before retry number <paramref name="retry"/> (0 = first retry), capped, with jitter.</summary>
    public static TimeSpan Backoff(GrpcMeshRetryOptions options, int retry, double random)
    {
        var ms = options.InitialBackoff.TotalMilliseconds * Math.Pow(options.BackoffMultiplier, retry);
        ms = Math.Min(ms, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (1 - (options.JitterFactor * random)));
    }
}

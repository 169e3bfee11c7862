using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// When a failed unary attempt is tried again, as plain code (see the clients README for why not Polly's retry or
/// grpc-dotnet's retry service config). A failure is retried when <see cref="StatusTaxonomy.IsRetryable"/> allows it for
/// this request (idempotent method or idempotency key; or never sent), attempts remain, the wait — the server's
/// pushback, else exponential jittered backoff — ends before the deadline, and the target's <see cref="RetryBudget"/>
/// pays for it (checked last, so a retry that would not happen anyway costs nothing). Retried attempts carry
/// <c>grpc-previous-rpc-attempts</c>. Inside a server call that is itself a retry (or carries
/// <see cref="GrpcMeshMetadata.NoRetry"/>) calls are not retried and carry <see cref="GrpcMeshMetadata.NoRetry"/>, so one
/// failure is retried at one hop only. Streaming calls are not retried.
/// </summary>
internal sealed class RetryPolicy(
    ClientSetup client, RetryBudget budget, TimeProvider time, GrpcMeshClientTelemetry telemetry, ILogger logger, Func<double> random)
{
    private readonly GrpcMeshRetryOptions _options = client.Options.Retry;

    /// <summary>What a failure allows, before attempts, deadline and budget are considered.</summary>
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
    /// Called once per unary call (not per attempt): deposits into the target's retry budget and returns whether the call
    /// may be retried at all. Inside a server call downstream of a retry it marks <paramref name="context"/> with
    /// <see cref="GrpcMeshMetadata.NoRetry"/> and returns false.
    /// </summary>
    public bool Admit<TRequest, TResponse>(ref ClientInterceptorContext<TRequest, TResponse> context, ServerCallContext? incoming)
        where TRequest : class
        where TResponse : class
    {
        budget.Deposit();
        if (IsDownstreamOfRetry(incoming))
        {
            context = WithNoRetryMarker(context);
            return false;
        }

        return _options.MaxAttempts > 1;
    }

    /// <summary>
    /// Whether attempt <paramref name="attempt"/> (0-based) of <paramref name="method"/>, which failed with
    /// <paramref name="failure"/>, is tried again, and after which <paramref name="delay"/>. Counts and logs the retry or
    /// the budget refusal.
    /// </summary>
    public bool ShouldRetry(Exception failure, int attempt, object request, string method, DateTime deadline, bool attemptCut, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (failure is not RpcException rpc || attempt + 1 >= _options.MaxAttempts)
        {
            return false;
        }

        // An attempt cut short by the per-attempt timeout was safe to repeat (AttemptDeadline) and the call has time left.
        var pushback = TimeSpan.Zero;
        var verdict = attemptCut && rpc.StatusCode == StatusCode.DeadlineExceeded
            ? Verdict.Backoff
            : Classify(rpc, client.Methods.Get(method, streaming: false).IsSafeToRepeat(request), out pushback);
        if (verdict == Verdict.Stop)
        {
            return false;
        }

        delay = verdict == Verdict.Pushback ? pushback : Backoff(_options, attempt, random());
        if (time.GetUtcNow().UtcDateTime + delay >= deadline)
        {
            return false;
        }

        if (!budget.TryWithdraw())
        {
            telemetry.RetryBudgetExhausted(client.Target.Key, method);
            ClientLog.RetryBudgetExhausted(logger, client.Target.Key, method, rpc.StatusCode);
            return false;
        }

        telemetry.Retry(client.Target.Key, method, rpc.StatusCode);
        ClientLog.Retrying(logger, method, client.Target.Key, attempt + 1, rpc.StatusCode, delay.TotalMilliseconds);
        return true;
    }

    /// <summary>Whether calls of <paramref name="method"/> are hedged instead of retried: hedging is on and the proto marks the method <c>NO_SIDE_EFFECTS</c>.</summary>
    public bool MayHedge(string method) => client.Options.Hedging.Enabled && client.Methods.Get(method, streaming: false).HasNoSideEffects;

    /// <summary>Pays for one hedged attempt of <paramref name="method"/> from the retry budget (<paramref name="reason"/>: delay or failure); false when it is empty.</summary>
    public bool TryHedge(string method, string reason)
    {
        if (!budget.TryWithdraw())
        {
            telemetry.RetryBudgetExhausted(client.Target.Key, method);
            return false;
        }

        telemetry.Hedge(client.Target.Key, method, reason);
        return true;
    }

    /// <summary>
    /// The deadline of attempt <paramref name="attempt"/> (0-based) under the method's per-attempt timeout
    /// (<see cref="GrpcMeshRetryOptions.MethodPerAttemptTimeouts"/>, else <see cref="GrpcMeshRetryOptions.PerAttemptTimeout"/>),
    /// or null when the attempt keeps the call's <paramref name="deadline"/>: no per-attempt timeout, the last attempt
    /// allowed, a request that is not safe to repeat (a timed-out attempt could not be retried), or a call with less time left.
    /// </summary>
    public DateTime? AttemptDeadline(int attempt, object request, string method, DateTime deadline)
    {
        var policy = client.Methods.Get(method, streaming: false);
        if (policy.PerAttemptTimeout is not { } timeout || attempt + 1 >= _options.MaxAttempts || !policy.IsSafeToRepeat(request))
        {
            return null;
        }

        var cut = time.GetUtcNow().UtcDateTime + timeout;
        return cut < deadline ? cut : null;
    }

    /// <summary>
    /// What <paramref name="error"/> allows (<paramref name="safeToRepeat"/>: idempotent RPC or idempotency key): the
    /// taxonomy's retryable kinds, waiting for the server's pushback when it sent one; a negative or unreadable pushback
    /// stops retries for any status.
    /// </summary>
    public static Verdict Classify(RpcException error, bool safeToRepeat, out TimeSpan pushback)
    {
        pushback = TimeSpan.Zero;
        var pushbackValue = error.Trailers.GetValue(GrpcMeshMetadata.RetryPushback);
        var milliseconds = 0;
        if (pushbackValue is not null && !int.TryParse(pushbackValue, NumberStyles.None, CultureInfo.InvariantCulture, out milliseconds))
        {
            return Verdict.Stop; // negative or malformed: the server says "do not retry"
        }

        var kind = StatusTaxonomy.KindOf(error);
        if (!StatusTaxonomy.IsRetryable(kind, safeToRepeat, StatusTaxonomy.NeverSent(error), hasPushback: pushbackValue is not null))
        {
            return Verdict.Stop;
        }

        if (pushbackValue is null)
        {
            return Verdict.Backoff;
        }

        pushback = TimeSpan.FromMilliseconds(milliseconds);
        return Verdict.Pushback;
    }

    /// <summary>Exponential backoff before retry number <paramref name="retry"/> (0 = first retry), capped, with jitter.</summary>
    public static TimeSpan Backoff(GrpcMeshRetryOptions options, int retry, double random)
    {
        var ms = options.InitialBackoff.TotalMilliseconds * Math.Pow(options.BackoffMultiplier, retry);
        ms = Math.Min(ms, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (1 - (options.JitterFactor * random)));
    }

    /// <summary>The context of attempt <paramref name="attempt"/> (0-based): retried attempts carry grpc-previous-rpc-attempts.</summary>
    public static ClientInterceptorContext<TRequest, TResponse> ForAttempt<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, int attempt)
        where TRequest : class
        where TResponse : class
    {
        if (attempt == 0)
        {
            return context;
        }

        return CallHeaders.With(context, GrpcMeshMetadata.PreviousAttempts, attempt.ToString(CultureInfo.InvariantCulture));
    }

    public static RpcException CancelledWhileWaiting() =>
        new(new Status(StatusCode.Cancelled, "The call was cancelled while waiting to retry."));

    /// <summary>True inside a server call that is a retried attempt or asks its callee not to retry downstream.</summary>
    private static bool IsDownstreamOfRetry(ServerCallContext? incoming)
    {
        if (incoming is null)
        {
            return false;
        }

        var headers = incoming.RequestHeaders;
        return headers.Get(GrpcMeshMetadata.NoRetry) is not null
            || (headers.GetValue(GrpcMeshMetadata.PreviousAttempts) is { } previous
                && int.TryParse(previous, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0);
    }

    private static ClientInterceptorContext<TRequest, TResponse> WithNoRetryMarker<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        if (context.Options.Headers?.Get(GrpcMeshMetadata.NoRetry) is not null)
        {
            return context;
        }

        return CallHeaders.With(context, GrpcMeshMetadata.NoRetry, "1");
    }
}

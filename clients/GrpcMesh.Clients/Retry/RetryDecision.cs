using Grpc.Core;
using GrpcMesh.Clients.Telemetry;

namespace GrpcMesh.Clients.Retry;

/// <summary>Per-call retry state shared by the async and blocking paths; the Polly retry strategy consults it.</summary>
internal sealed class RetryDecision(ClientPipeline pipeline, string method, bool safeToRepeat, DateTime? deadline, CancellationToken cancellationToken)
{
    /// <summary>Attempts started so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Delay before the retry just granted by <see cref="ShouldRetry"/>.</summary>
    public TimeSpan NextDelay { get; private set; }

    /// <summary>Set when the caller disposed the call: no more attempts.</summary>
    public bool Abandoned { get; set; }

    /// <summary>
    /// Whether the failed attempt may be retried: the error is retryable for this call (see <see cref="RetryRules.Classify"/>),
    /// attempts remain, the backoff ends before the deadline, and the target's budget pays for it (checked last, so a
    /// retry that would not happen anyway costs nothing).
    /// </summary>
    public bool ShouldRetry(Exception? error)
    {
        if (error is not RpcException rpc || Abandoned || cancellationToken.IsCancellationRequested
            || Attempts >= pipeline.Options.Retry.MaxAttempts)
        {
            return false;
        }

        var verdict = RetryRules.Classify(rpc, safeToRepeat, out var pushback);
        if (verdict == RetryRules.Verdict.Stop)
        {
            return false;
        }

        var delay = verdict == RetryRules.Verdict.Pushback
            ? pushback
            : RetryRules.Backoff(pipeline.Options.Retry, Attempts - 1, pipeline.Random());
        if (deadline is { } end && end != DateTime.MaxValue && pipeline.Time.GetUtcNow().UtcDateTime + delay >= end)
        {
            return false;
        }

        if (!pipeline.Budget.TryWithdraw())
        {
            pipeline.Telemetry.RetryBudgetExhausted(pipeline.Target.Key, method);
            ClientLog.RetryBudgetExhausted(pipeline.Logger, pipeline.Target.Key, method, rpc.StatusCode);
            return false;
        }

        NextDelay = delay;
        pipeline.Telemetry.Retry(pipeline.Target.Key, method, rpc.StatusCode);
        ClientLog.Retrying(pipeline.Logger, method, pipeline.Target.Key, Attempts, rpc.StatusCode, delay.TotalMilliseconds);
        return true;
    }
}

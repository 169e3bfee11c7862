using System.Globalization;
using Grpc.Core;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Statuses;

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
    /// UNAVAILABLE (or an INTERNAL the client made up from a broken connection, see <see cref="StatusTaxonomy.KindOf(Exception)"/>) →
    /// retry if safe to repeat, or if the request provably never left this process (connection refused, DNS or TLS
    /// failure); RESOURCE_EXHAUSTED → only when safe to repeat and the server sent a non-negative pushback;
    /// a negative or unreadable pushback stops retries for any code; an open circuit is never retried (it fails fast
    /// on purpose); everything else (DEADLINE_EXCEEDED, business errors, CANCELLED…) is final.
    /// </summary>
    public static Verdict Classify(RpcException error, bool safeToRepeat, out TimeSpan pushback)
    {
        pushback = TimeSpan.Zero;
        var pushbackValue = error.Trailers.GetValue(GrpcMeshMetadata.RetryPushback);
        if (pushbackValue is not null && !int.TryParse(pushbackValue, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return Verdict.Stop; // negative or malformed: the server says "do not retry"
        }

        if (!StatusTaxonomy.IsRetryable(StatusTaxonomy.KindOf(error), safeToRepeat, StatusTaxonomy.NeverSent(error), pushbackValue is not null))
        {
            return Verdict.Stop;
        }

        if (pushbackValue is null)
        {
            return Verdict.Backoff;
        }

        pushback = TimeSpan.FromMilliseconds(int.Parse(pushbackValue, NumberStyles.None, CultureInfo.InvariantCulture));
        return Verdict.Pushback;
    }

    /// <summary>Exponential backoff before retry number <paramref name="retry"/> (0 = first retry), capped, with jitter.</summary>
    public static TimeSpan Backoff(GrpcMeshRetryOptions options, int retry, double random)
    {
        var ms = options.InitialBackoff.TotalMilliseconds * Math.Pow(options.BackoffMultiplier, retry);
        ms = Math.Min(ms, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (1 - (options.JitterFactor * random)));
    }
}

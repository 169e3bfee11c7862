using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Clients.Options;

/// <summary>Retry of unary calls (<c>Clients:&lt;Service&gt;:Retry</c>). <see cref="MaxAttempts"/> = 1 turns retries off.</summary>
public sealed class GrpcMeshRetryOptions
{
    /// <summary>Attempts including the first one.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Per-attempt timeout (gRPC A6 <c>perAttemptRecvTimeout</c>, Linkerd's retry timeout): each attempt of a call that is
    /// safe to repeat is sent with a deadline this far ahead (never later than the call's own), and an attempt that runs
    /// out of it is retried within the call's deadline, so one stuck replica does not eat the whole budget. The last
    /// attempt <see cref="MaxAttempts"/> allows keeps the whole remaining deadline. Null (the default): off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan? PerAttemptTimeout { get; set; }

    /// <summary>
    /// <see cref="PerAttemptTimeout"/> for single methods, by name (<c>GetUser</c>) or gRPC path, over the one above
    /// (e.g. a short one for a read, none for the rest).
    /// </summary>
    public Dictionary<string, TimeSpan> MethodPerAttemptTimeouts { get; } = new(StringComparer.Ordinal);

    /// <summary>Backoff before the first retry (before jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of any backoff.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Growth of the backoff per retry.</summary>
    [Range(1.0, 10.0)]
    public double BackoffMultiplier { get; set; } = 2.0;

    /// <summary>Share of each backoff that is randomised: the delay is uniformly drawn from [backoff × (1 − JitterFactor), backoff].</summary>
    [Range(0.0, 1.0)]
    public double JitterFactor { get; set; } = 0.5;

    /// <summary>Retry budget: tokens each original call to the target deposits; a retry costs one token.</summary>
    [Range(0.0, 10.0)]
    public double BudgetRatio { get; set; } = 0.1;

    /// <summary>Retry budget floor: retries per second allowed to the target even when no tokens are left.</summary>
    [Range(0, 100_000)]
    public int BudgetMinRetriesPerSecond { get; set; } = 10;

    /// <summary>Most tokens the budget keeps, so a long healthy period cannot bank an unbounded burst of retries.</summary>
    [Range(1, 1_000_000)]
    public int BudgetMaxTokens { get; set; } = 100;
}

using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>The <c>Limits</c> configuration section: message sizes, HTTP/2 streams, per-caller rate limit, load shedding.</summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>Largest request message accepted, in bytes; a bigger one is refused with RESOURCE_EXHAUSTED.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes; a handler producing a bigger one fails with RESOURCE_EXHAUSTED.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Concurrent HTTP/2 streams (calls) per connection (Kestrel <c>MaxStreamsPerConnection</c>).</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentStreams { get; set; } = 100;

    /// <summary>
    /// Sustained calls per second per caller (token subject, else client IP); 0 turns rate limiting off. Generous on
    /// purpose: a service calling another (one subject, one IP) carries all of its own users' traffic.
    /// </summary>
    [Range(0, 1_000_000)]
    public double PermitsPerSecond { get; set; } = 10_000;

    /// <summary>Calls a caller may make at once above the sustained rate (token bucket size).</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 20_000;

    /// <summary>Callers tracked at once; beyond it, idle callers are forgotten and new ones share one bucket.</summary>
    [Range(16, 10_000_000)]
    public int MaxTrackedCallers { get; set; } = 10_000;

    /// <summary>A unary call arriving with less time than this before its deadline is refused with DEADLINE_EXCEEDED at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MinRemainingDeadline { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Where the adaptive limit starts (or <see cref="MaxConcurrentCalls"/> when that is lower).</summary>
    internal const int InitialAdaptiveLimit = 100;

    /// <summary>
    /// Unary calls handled at once (the ceiling of the adaptive limit); more wait in a queue. 0 turns the limit, the
    /// queue and <see cref="CriticalReserve"/> off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxConcurrentCalls { get; set; } = 1000;

    /// <summary>
    /// true: how many calls run at once follows the calls' service times — it starts at 100, shrinks while calls run
    /// slower than <see cref="LatencyTolerance"/> × their uncongested time and grows back while they do not, between
    /// <see cref="MinConcurrentCalls"/> and <see cref="MaxConcurrentCalls"/>; and a call waiting in a queue that has not
    /// emptied for 100 ms (or emptied and refilled within 100 ms) is refused once it has waited longer than that
    /// uncongested time, and the newest waiter gets the next slot (adaptive LIFO). false: a fixed
    /// <see cref="MaxConcurrentCalls"/>, and queued calls wait, first come first served, until their deadline.
    /// </summary>
    public bool AdaptiveConcurrency { get; set; } = true;

    /// <summary>The adaptive limit's floor (capped at <see cref="MaxConcurrentCalls"/>).</summary>
    [Range(1, 1_000_000)]
    public int MinConcurrentCalls { get; set; } = 10;

    /// <summary>How much slower than uncongested calls may run before the adaptive limit shrinks (1.5: 50 % slower).</summary>
    [Range(1.0, 10.0)]
    public double LatencyTolerance { get; set; } = 1.5;

    /// <summary>
    /// Share of the concurrency limit kept for critical calls: a call marked <c>grpcmesh-criticality: sheddable</c>
    /// is refused (RESOURCE_EXHAUSTED with pushback, never queued) once more than the rest are in use or any call waits.
    /// </summary>
    [Range(0.0, 0.9)]
    public double CriticalReserve { get; set; } = 0.1;

    /// <summary>
    /// Unary calls allowed to wait for a slot; beyond it the new call is refused with RESOURCE_EXHAUSTED — or, in a
    /// standing queue under the adaptive limit (served newest first), the oldest waiter.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxQueuedCalls { get; set; } = 1000;
}

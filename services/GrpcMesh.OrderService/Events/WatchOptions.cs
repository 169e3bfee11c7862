using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.OrderService.Events;

/// <summary>The <c>Orders:Watch</c> configuration section: the outbox poller and WatchOrders subscribers.</summary>
public sealed class WatchOptions
{
    public const string SectionName = "Orders:Watch";

    /// <summary>
    /// How often each process polls the outbox for new events. Events written through this process (and, on PostgreSQL,
    /// through any replica, via NOTIFY) wake the poller at once; the interval bounds the delay when a wake-up is missed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most events held for one subscriber that has not taken them yet. A subscriber that falls further behind is cut off
    /// with RESOURCE_EXHAUSTED and resumes from its last sequence (its backlog is then read from the outbox).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBufferedEvents { get; set; } = 1000;

    /// <summary>Events read per outbox query (backlog pages and poller batches).</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 500;
}

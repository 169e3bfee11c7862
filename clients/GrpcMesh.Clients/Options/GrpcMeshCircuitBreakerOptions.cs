using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Clients.Options;

/// <summary>
/// Circuit breaker of a target address (<c>Clients:&lt;Service&gt;:Breaker</c>). Clients to the same address share one
/// breaker; the settings of the first client that uses it apply.
/// </summary>
public sealed class GrpcMeshCircuitBreakerOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Share of failed attempts (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, connection errors) that opens the circuit.</summary>
    [Range(0.001, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed in the sampling window before the ratio counts.</summary>
    [Range(2, int.MaxValue)]
    public int MinimumThroughput { get; set; } = 20;

    /// <summary>Window over which the failure ratio is measured.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the circuit stays open before one probe call is let through (half-open).</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}

using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Clients.Options;

/// <summary>
/// Active health checks of each endpoint of a round-robin balanced address (<c>Clients:&lt;Service&gt;:HealthChecks</c>):
/// grpc.health.v1 <c>Check</c> every <see cref="Interval"/>. An endpoint answering NOT_SERVING (e.g. draining before it
/// stops) or not answering is taken out of rotation until a check says SERVING again. An endpoint without the health
/// service (UNIMPLEMENTED) counts as healthy.
/// </summary>
public sealed class GrpcMeshHealthCheckOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two checks of an endpoint. Keep it well below the servers' <c>Shutdown:DrainDelay</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Time a check may take; a slower answer counts as unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Service name sent in the check; empty asks about the server as a whole.</summary>
    public string ServiceName { get; set; } = string.Empty;
}

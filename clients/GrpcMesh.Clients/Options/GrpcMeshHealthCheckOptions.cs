using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Clients.Options;

/// <summary>
/// Active health checks of each endpoint of a round-robin balanced address (<c>Clients:&lt;Service&gt;:HealthChecks</c>):
/// one grpc.health.v1 <c>Watch</c> stream per endpoint, so a NOT_SERVING (e.g. a replica starting its drain) takes the
/// endpoint out of rotation as soon as the server pushes it, regardless of the outlier-ejection cap. NOT_SERVING,
/// SERVICE_UNKNOWN, a failed stream or no first answer within <see cref="Timeout"/> keeps it out until a watch says
/// SERVING. Servers without Watch are asked with <c>Check</c> every <see cref="Interval"/>; an endpoint without the
/// health service (UNIMPLEMENTED) counts as healthy.
/// </summary>
public sealed class GrpcMeshHealthCheckOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Delay before watching an endpoint again after its watch ended or failed (a restarted replica is seen SERVING this
    /// long after it accepts connections, at most), and the time between two Checks of a server without Watch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time for a watch's first answer, or a Check's answer; no answer in time counts as unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Service name sent in the watch or check; empty asks about the server as a whole.</summary>
    public string ServiceName { get; set; } = string.Empty;
}

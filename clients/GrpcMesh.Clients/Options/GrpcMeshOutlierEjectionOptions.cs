using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Clients.Options;

/// <summary>
/// Per-endpoint outlier ejection of a round-robin balanced address (<c>Clients:&lt;Service&gt;:OutlierEjection</c>): an
/// endpoint whose attempts fail <see cref="ConsecutiveFailures"/> times in a row with UNAVAILABLE, DEADLINE_EXCEEDED (a slow
/// endpoint) or a connection error is taken out of rotation for <see cref="BaseEjectionTime"/> × 2^(n−1) (n = its recent
/// ejections), at most <see cref="MaxEjectionTime"/>. At most <see cref="MaxEjectionPercent"/> of the connected endpoints
/// (and never all) are ejected at once; endpoints out for failing their health check are not counted.
/// </summary>
public sealed class GrpcMeshOutlierEjectionOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Failed attempts in a row (UNAVAILABLE, DEADLINE_EXCEEDED, HTTP 502/503/504, connection errors) that eject an endpoint.</summary>
    [Range(1, 1000)]
    public int ConsecutiveFailures { get; set; } = 5;

    /// <summary>Length of a first ejection; doubles for each further ejection, decaying one step per this much healthy time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan BaseEjectionTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap of an ejection.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxEjectionTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most connected endpoints ejected as outliers at once, as a percentage; at least one may be ejected when two or more are connected, never all.</summary>
    [Range(0, 100)]
    public int MaxEjectionPercent { get; set; } = 50;
}

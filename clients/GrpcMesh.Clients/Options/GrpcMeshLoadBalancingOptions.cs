using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Clients.Options;

/// <summary>
/// Client-side load balancing of a <c>dns:///</c> or <c>static:///</c> address (<c>Clients:&lt;Service&gt;:LoadBalancing</c>).
/// An <c>http://</c>/<c>https://</c> address is one endpoint and is not balanced.
/// </summary>
public sealed class GrpcMeshLoadBalancingOptions
{
    /// <summary>Spreads calls over every ready, non-ejected endpoint, with outlier ejection and health checks.</summary>
    public const string RoundRobin = "round_robin";

    /// <summary>Sends every call to the first endpoint that connects; moves on only when it fails to connect. No ejection.</summary>
    public const string PickFirst = "pick_first";

    /// <summary>
    /// Like <see cref="RoundRobin"/> (ejection, health checks), but each call goes to the less loaded of two endpoints drawn
    /// at random (power of two choices), load being calls in flight × a peak-EWMA of latency (<see cref="LatencyDecay"/>).
    /// </summary>
    public const string LeastLoaded = "least_loaded";

    /// <summary><see cref="RoundRobin"/> (default), <see cref="LeastLoaded"/> or <see cref="PickFirst"/>.</summary>
    public string Policy { get; set; } = RoundRobin;

    /// <summary><see cref="LeastLoaded"/>: time constant of the latency average (how fast a slow endpoint's cost is forgotten).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan LatencyDecay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True for the policies that balance per call over an endpoint table (<see cref="RoundRobin"/>, <see cref="LeastLoaded"/>).</summary>
    public bool IsPerCall => Policy is RoundRobin or LeastLoaded;

    /// <summary>How often a <c>dns:///</c> name is re-resolved (it is also re-resolved when an endpoint fails).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DnsRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before reconnecting to an endpoint whose connection failed (grows ×1.6 with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan InitialReconnectBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the reconnect delay.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxReconnectBackoff { get; set; } = TimeSpan.FromSeconds(30);
}

using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Clients.Options;

/// <summary>
/// Settings of one GrpcMesh client, bound from <c>Clients:&lt;Service&gt;</c> (e.g. <c>Clients:UserService</c>).
/// Read once when the client's pipeline is first built; validated on start.
/// </summary>
public sealed class GrpcMeshClientOptions
{
    /// <summary>
    /// Where the service listens: <c>http://host:port</c> or <c>https://host:port</c> (one endpoint), or a balanced set of
    /// endpoints: <c>dns:///host:port</c> (every address of the name, re-resolved periodically) or
    /// <c>static:///host1:port1,host2:port2</c>.
    /// </summary>
    [Required]
    public Uri? Address { get; set; }

    /// <summary>TLS to the endpoints of a <c>dns:///</c> or <c>static:///</c> address (an http/https address says it in its scheme).</summary>
    public bool UseTls { get; set; }

    /// <summary>Deadline of a unary call without a per-method or caller deadline.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of a streaming call without a per-method or caller deadline (watches reconnect after it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan DefaultStreamingDeadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Per-method deadlines keyed by method name (<c>GetUser</c>) or full name (<c>/grpcmesh.user.v1.UserService/GetUser</c>).</summary>
    public Dictionary<string, TimeSpan> MethodDeadlines { get; } = new(StringComparer.Ordinal);

    public GrpcMeshRetryOptions Retry { get; } = new();

    public GrpcMeshHedgingOptions Hedging { get; } = new();

    public GrpcMeshCircuitBreakerOptions Breaker { get; } = new();

    public GrpcMeshHttpOptions Http { get; } = new();

    public GrpcMeshLoadBalancingOptions LoadBalancing { get; } = new();

    public GrpcMeshOutlierEjectionOptions OutlierEjection { get; } = new();

    public GrpcMeshHealthCheckOptions HealthChecks { get; } = new();

    public GrpcMeshClientAuthOptions Auth { get; } = new();

    public GrpcMeshClientTlsOptions Tls { get; } = new();

    /// <summary>Largest response message accepted, in bytes; null keeps the gRPC default (4 MB).</summary>
    [Range(1, int.MaxValue)]
    public int? MaxReceiveMessageSize { get; set; }

    /// <summary>Largest request message sent, in bytes; null means unlimited.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxSendMessageSize { get; set; }
}

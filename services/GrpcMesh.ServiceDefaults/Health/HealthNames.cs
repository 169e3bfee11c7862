namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>Names used by the grpc.health.v1 service and the ASP.NET Core health checks behind it.</summary>
public static class HealthNames
{
    /// <summary>
    /// Health service name for liveness probes: SERVING while the process answers, even while draining.
    /// Only checks tagged <see cref="LiveTag"/> count. "" and every gRPC service name report readiness (all checks).
    /// </summary>
    public const string LivenessService = "liveness";

    /// <summary>Tag for checks that decide liveness (a failing one makes Kubernetes restart the pod).</summary>
    public const string LiveTag = "live";

    /// <summary>Tag for checks that decide readiness only. Readiness uses every check; the tag documents intent.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The readiness entry that is Unhealthy once shutdown begins (added by <see cref="DrainAwareHealthCheckService"/>).</summary>
    public const string DrainCheck = "drain";

    /// <summary>The check that is Healthy while the process runs (keeps <see cref="LivenessService"/> SERVING).</summary>
    public const string SelfCheck = "self";

    /// <summary>The conventional name for a service's own database check.</summary>
    public const string StorageCheck = "storage";
}

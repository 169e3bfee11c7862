using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>Unhealthy from the moment shutdown begins, so readiness (Check and Watch) reports NOT_SERVING.</summary>
internal sealed class DrainHealthCheck(DrainState drain) : IHealthCheck
{
    private static readonly Task<HealthCheckResult> Healthy = Task.FromResult(HealthCheckResult.Healthy());
    private static readonly Task<HealthCheckResult> Draining = Task.FromResult(HealthCheckResult.Unhealthy("shutting down"));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        drain.IsDraining ? Draining : Healthy;
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>
/// Readiness checks for a service's own dependencies. Readiness ("" and the service names in grpc.health.v1)
/// turns NOT_SERVING while one fails. Register only what the service cannot work without: OrderService checks its
/// own store, not UserService (a UserService outage is handled per call by the client's circuit breaker; making
/// OrderService unready too would only take more of the mesh out of rotation).
/// </summary>
public static class HealthChecksBuilderExtensions
{
    /// <summary>Default time one storage probe may take before it counts as failed.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Adds a storage check that runs <paramref name="probe"/> (e.g. <c>(sp, ct) =&gt; sp.GetRequiredService&lt;IUserStore&gt;().PingAsync(ct)</c>);
    /// the check fails when the probe throws or exceeds <paramref name="timeout"/>. Works for any provider (SQLite, PostgreSQL).
    /// </summary>
    public static IHealthChecksBuilder AddStorageCheck(
        this IHealthChecksBuilder builder,
        Func<IServiceProvider, CancellationToken, ValueTask> probe,
        string name = HealthNames.StorageCheck,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(probe);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new DelegateHealthCheck(services, probe, name),
            HealthStatus.Unhealthy,
            [HealthNames.ReadyTag],
            timeout ?? DefaultProbeTimeout));
    }
}

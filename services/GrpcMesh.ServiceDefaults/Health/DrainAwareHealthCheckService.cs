using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>
/// The app's <see cref="HealthCheckService"/> plus the drain: from the moment shutdown begins every report that asks for
/// readiness gets an Unhealthy <see cref="HealthNames.DrainCheck"/> entry ("shutting down"), so readiness (Check and
/// Watch) reports NOT_SERVING.
/// </summary>
/// <remarks>
/// The drain is not a registered check because the framework's service logs every Unhealthy result at Error, and a drain
/// is how every healthy instance stops. Registered checks still run in (and are logged by) the inner service, so a
/// failing storage check stays an Error.
/// </remarks>
internal sealed class DrainAwareHealthCheckService(HealthCheckService checks, DrainState drain) : HealthCheckService
{
    // Only offered to the callers' predicates (readiness takes it, liveness does not); never run.
    private static readonly HealthCheckRegistration Drain = new(
        HealthNames.DrainCheck, static _ => throw new NotSupportedException("the drain entry is added, not run"), HealthStatus.Unhealthy, [HealthNames.ReadyTag]);

    private static readonly HealthReportEntry Draining = new(
        HealthStatus.Unhealthy, "shutting down", TimeSpan.Zero, exception: null, data: null, tags: Drain.Tags);

    public override async Task<HealthReport> CheckHealthAsync(
        Func<HealthCheckRegistration, bool>? predicate, CancellationToken cancellationToken = default)
    {
        var report = await checks.CheckHealthAsync(predicate, cancellationToken).ConfigureAwait(false);
        if (!drain.IsDraining || (predicate is not null && !predicate(Drain)))
        {
            return report;
        }

        var entries = new Dictionary<string, HealthReportEntry>(report.Entries, StringComparer.OrdinalIgnoreCase)
        {
            [HealthNames.DrainCheck] = Draining,
        };
        return new HealthReport(entries, report.TotalDuration);
    }
}

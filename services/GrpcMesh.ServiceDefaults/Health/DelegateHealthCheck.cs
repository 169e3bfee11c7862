using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>Runs a probe (e.g. a store's ping); healthy unless it throws.</summary>
internal sealed class DelegateHealthCheck(IServiceProvider services, Func<IServiceProvider, CancellationToken, ValueTask> probe, string what) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await probe(services, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{what} unavailable: {ex.Message}", ex);
        }
    }
}

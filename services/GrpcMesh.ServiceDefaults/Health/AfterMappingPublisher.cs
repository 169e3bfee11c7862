using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>The gRPC health publisher, held back until <see cref="GrpcServiceHealthMappings"/> has mapped every service name.</summary>
internal sealed class AfterMappingPublisher(IHealthCheckPublisher inner, GrpcServiceHealthMappings mappings) : IHealthCheckPublisher
{
    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        await mappings.Mapped.WaitAsync(cancellationToken).ConfigureAwait(false);
        await inner.PublishAsync(report, cancellationToken).ConfigureAwait(false);
    }
}

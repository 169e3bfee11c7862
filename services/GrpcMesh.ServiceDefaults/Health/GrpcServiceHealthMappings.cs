using Grpc.AspNetCore.HealthChecks;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>
/// Health service names without per-service boilerplate: "" and every fully-qualified gRPC service name found among
/// the app's endpoints report readiness (all checks); <see cref="HealthNames.LivenessService"/> reports liveness
/// (checks tagged <see cref="HealthNames.LiveTag"/>). Any other name answers NOT_FOUND.
/// </summary>
/// <remarks>
/// The options object is created before the app's endpoints exist (the health publisher reads it when hosted services
/// are resolved), so the discovered names are added to that same instance by a startup filter, which runs after the
/// app's pipeline and endpoints are built and before Kestrel accepts the first connection. The publisher's timer starts
/// before that filter runs, so it waits for <see cref="Mapped"/> (<see cref="AfterMappingPublisher"/>): on a loaded
/// machine its first run once enumerated the mappings while they were being added.
/// </remarks>
internal sealed class GrpcServiceHealthMappings(IOptions<GrpcHealthChecksOptions> options) : IStartupFilter
{
    private readonly TaskCompletionSource _mapped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once every service name is mapped.</summary>
    public Task Mapped => _mapped.Task;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        var mappings = options.Value.Services;
        foreach (var service in DiscoverServiceNames(app.ApplicationServices.GetRequiredService<EndpointDataSource>()))
        {
            mappings.Map(service, static _ => true);
        }

        _mapped.TrySetResult();
    };

    /// <summary>Maps "" (readiness) and the liveness name; runs when the options are created.</summary>
    public static void MapFixedNames(GrpcHealthChecksOptions options)
    {
        options.Services.Map(string.Empty, static _ => true);
        options.Services.Map(HealthNames.LivenessService, static check => check.Tags.Contains(HealthNames.LiveTag));
    }

    public static IReadOnlyList<string> DiscoverServiceNames(EndpointDataSource endpoints) =>
        endpoints.Endpoints
            .Select(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.ServiceName)
            .OfType<string>()
            .Where(name => name.Length > 0 && name != HealthNames.LivenessService)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The names that report readiness (everything mapped except the liveness name).</summary>
    public static IEnumerable<string> ReadinessNames(GrpcHealthChecksOptions options) =>
        options.Services.Select(mapping => mapping.Name).Where(name => name != HealthNames.LivenessService);
}

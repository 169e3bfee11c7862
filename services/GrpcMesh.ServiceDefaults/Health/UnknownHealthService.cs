using Grpc.AspNetCore.HealthChecks;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>
/// grpc.health.v1 Check answers a name that is not mapped with NOT_FOUND and an empty message; this names the unknown
/// name and the names that exist, so a probe configured with a typo says how to fix it.
/// </summary>
internal sealed class UnknownHealthService(IOptions<GrpcHealthChecksOptions> options)
{
    public RpcException Explain(string service)
    {
        var known = options.Value.Services.Select(mapping => mapping.Name.Length == 0 ? "\"\"" : mapping.Name).Order(StringComparer.Ordinal);
        return new RpcException(new Status(StatusCode.NotFound,
            $"unknown health service name '{service}'; this server knows: {string.Join(", ", known)}"));
    }
}

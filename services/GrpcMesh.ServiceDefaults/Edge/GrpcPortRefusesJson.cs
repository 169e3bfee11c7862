using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace GrpcMesh.ServiceDefaults.Edge;

/// <summary>
/// Keeps the JSON routes off the gRPC port: JSON transcoding adds its HTTP routes to the same endpoint data source as
/// the gRPC methods, so the service's own router would also match them on the h2c port. This policy, registered in the
/// service's container only, rejects them there; the <see cref="HttpEdge"/> routes with a container of its own that
/// lacks it. gRPC calls do not pay for it: the router consults a policy only for candidates it applies to.
/// </summary>
internal sealed class GrpcPortRefusesJson : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Endpoint?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}

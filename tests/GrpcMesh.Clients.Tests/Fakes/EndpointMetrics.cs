using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Fakes;

public static class EndpointMetrics
{
    /// <summary>The <c>state</c> of <paramref name="endpoint"/> per <c>grpcmesh.client.endpoint.state</c> (the tag whose value is 1), or null.</summary>
    public static string? EndpointState(this MetricRecorder metrics, string target, string endpoint) =>
        metrics.Observe("grpcmesh.client.endpoint.state")
            .Where(m => m.Value == 1 && Equals(m.Tags["target"], target) && Equals(m.Tags["endpoint"], endpoint))
            .Select(m => (string?)m.Tags["state"])
            .SingleOrDefault();
}

using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Fakes;

public static class BreakerMetrics
{
    /// <summary>The <c>state</c> of <paramref name="target"/>'s breaker per <c>grpcmesh.client.breaker.state</c> (the tag whose value is 1), or null.</summary>
    public static string? BreakerState(this MetricRecorder metrics, string target) =>
        metrics.Observe("grpcmesh.client.breaker.state")
            .Where(m => m.Value == 1 && Equals(m.Tags["target"], target))
            .Select(m => (string?)m.Tags["state"])
            .SingleOrDefault();
}

using System.Collections.Concurrent;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Tests.Replicas;
using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.LoadBalancing;

public sealed class GrpcHealthProbeTests
{
    [Fact(Timeout = 60_000)]
    public async Task WatchAsync_ReplicaDrainsThenGoes_ServingThenNotServingThenTheStreamEndsAndANewOneFails()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var replicas = new ReplicaSet(1);
        var endpoint = replicas.Endpoint(0);
        using var probe = new GrpcHealthProbe(useTls: false, tlsHost: null, string.Empty, new GrpcMeshHttpOptions(), new GrpcMeshLoadBalancingOptions());
        var reports = new ConcurrentQueue<bool>();

        var watch = probe.WatchAsync(endpoint, reports.Enqueue, cancellation);
        await Eventually.WaitAsync(() => reports.Contains(true), "SERVING pushed", Balanced.Patience);
        replicas[0].BeginDrain();
        await Eventually.WaitAsync(() => reports.LastOrDefault() is false, "NOT_SERVING pushed", Balanced.Patience);
        await replicas.KillAsync(0);

        var end = await watch.WaitAsync(Balanced.Patience, cancellation);
        var again = await probe.WatchAsync(endpoint, reports.Enqueue, cancellation).WaitAsync(Balanced.Patience, cancellation);

        Assert.NotEqual(HealthWatchEnd.Unimplemented, end); // closed by the server or broken with the connection
        Assert.Equal(HealthWatchEnd.Failed, again);
        Assert.False(await probe.IsServingAsync(endpoint, cancellation));
    }
}

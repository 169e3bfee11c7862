using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Tests.Replicas;

namespace GrpcMesh.Clients.Tests.LoadBalancing;

/// <summary>LoadBalancing:Policy least_loaded against three real UserService replicas, one of them slowed by 50 ms.</summary>
public sealed class LeastLoadedTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Slowdown = TimeSpan.FromMilliseconds(50);

    [Fact(Timeout = 90_000)]
    public async Task GetUser_OneReplicaSlowedBy50Ms_LeastLoadedSendsItAtMostTenPercentOfTheCalls()
    {
        var share = await SlowReplicaShareAsync(GrpcMeshLoadBalancingOptions.LeastLoaded);

        Assert.InRange(share, 0, 0.10);
    }

    [Fact(Timeout = 90_000)]
    public async Task GetUser_OneReplicaSlowedBy50Ms_RoundRobinStillSendsItAThird()
    {
        var share = await SlowReplicaShareAsync(GrpcMeshLoadBalancingOptions.RoundRobin);

        Assert.InRange(share, 0.25, 0.42);
    }

    private async Task<double> SlowReplicaShareAsync(string policy)
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas, o => o.LoadBalancing.Policy = policy);
        var userId = await Balanced.CreateUserAsync(harness, TestContext.Current.CancellationToken);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        replicas[0].Control.Delay = Slowdown;
        var load = new LoadDriver(harness.Client, userId, workers: 8);
        long[] measured;
        try
        {
            await load.WaitForMoreCallsAsync(200, "the latency averages settle");
            var before = Attempts(harness, replicas);
            await load.WaitForMoreCallsAsync(1500, "measured");
            measured = [.. Attempts(harness, replicas).Zip(before, (after, start) => after - start)];
        }
        finally
        {
            replicas[0].Control.Delay = TimeSpan.Zero;
            await load.DisposeAsync();
        }

        var share = measured[0] / (double)measured.Sum();
        Balanced.Report(output, $"{policy}, replica 0 slowed by {Slowdown.TotalMilliseconds} ms: attempts {string.Join(" / ", measured)} → its share {share:P1}\n{Balanced.Describe(harness, replicas, load)}");
        Assert.Empty(load.Failures);
        return share;
    }

    private static long[] Attempts(Clients.Tests.Fakes.ClientHarness harness, ReplicaSet replicas) =>
        [.. Enumerable.Range(0, replicas.Count).Select(i => Balanced.AttemptsTo(harness, replicas, i))];
}

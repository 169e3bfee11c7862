using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// <c>lb-round-robin</c> / <c>lb-least-loaded</c>: the mesh client over three replicas with one
/// <c>LoadBalancing:Policy</c>, first all healthy (the reference p99), then with one of the three slowed by
/// <see cref="SlowDelay"/> per call. Four replicas run (three healthy, one slow), all warmed up first; each phase's
/// client lists three.
/// </summary>
internal sealed class BalancingScenario(string policy) : TrafficScenario(
    "lb-" + policy.Replace('_', '-'),
    $"mesh client, LoadBalancing:Policy={policy}, 3 replicas: all healthy, then one +{SlowDelay.TotalMilliseconds:0} ms per call")
{
    public const string RoundRobin = "round_robin";
    public const string LeastLoaded = "least_loaded";
    public const string Slow = "slow";

    public static readonly TimeSpan SlowDelay = TimeSpan.FromMilliseconds(50);

    public string Policy { get; } = policy;

    public override async Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken)
    {
        await using var replicas = await ReplicaSet.StartAsync(context, Name,
            [new("a"), new("b"), new("c"), new(Slow, "--Replica:ExtraDelay", SlowDelay.ToString())], cancellationToken);
        await MeshPhase.WarmUpAsync(Name, context, progress, replicas, ["a", "b", "c", Slow], cancellationToken);
        var settings = new Dictionary<string, string> { ["LoadBalancing:Policy"] = Policy };
        var healthy = await MeshPhase.RunAsync(Name, "all-healthy", "replicas a, b, c", context, progress, replicas,
            ["a", "b", "c"], settings, cancellationToken);
        var slow = await MeshPhase.RunAsync(Name, "one-slow", $"replicas a, b and '{Slow}' (+{SlowDelay.TotalMilliseconds:0} ms per call)", context, progress, replicas,
            ["a", "b", Slow], settings, cancellationToken);

        var attempts = slow.ServedByReplica!.Values.Sum();
        var share = attempts > 0 ? slow.ServedByReplica[Slow] / (double)attempts : 0;
        var healthyP99 = healthy.Load.LatencyMs.P99;
        return new TrafficReport([healthy, slow], Balancing: new BalancingFigures(Policy, Math.Round(share, 4), healthyP99, slow.Load.LatencyMs.P99,
            healthyP99 > 0 ? Math.Round(slow.Load.LatencyMs.P99 / healthyP99, 3) : 0));
    }
}

using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// <c>hedging-off</c> / <c>hedging-on</c>: the mesh client (round robin) over three replicas, one of which stalls every
/// <see cref="StallEvery"/>-th GetUser it serves by <see cref="Stall"/> (a third of the calls reach it: 1 % of all calls
/// stall), with hedging off, or on with the adaptive delay: each method's observed p95 (<c>Hedging:DelayPercentile</c>
/// 95, <c>Hedging:MinDelay</c> 1 ms instead of the shipped 5 ms, which is several times this box's p95; 2 attempts as
/// shipped). GetUser is NO_SIDE_EFFECTS, so it is hedged.
/// </summary>
internal sealed class HedgingScenario(bool enabled) : TrafficScenario(
    enabled ? "hedging-on" : "hedging-off",
    $"mesh client, hedging {(enabled ? "on (delay = p95)" : "off")}, 3 replicas, one stalls every {StallEvery}th call by {Stall.TotalSeconds:0} s")
{
    public const int StallEvery = 33;
    public const string Stalling = "stalling";

    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(1);

    public override async Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken)
    {
        await using var replicas = await ReplicaSet.StartAsync(context, Name,
            [new("a"), new("b"), new(Stalling, "--Replica:SlowEvery", StallEvery.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Replica:SlowDelay", Stall.ToString())],
            cancellationToken);
        var phase = await MeshPhase.RunAsync(Name, enabled ? "hedged" : "not-hedged", $"replicas a, b and '{Stalling}'", context, progress, replicas,
            ["a", "b", Stalling], enabled
                ? new Dictionary<string, string> { ["Hedging:Enabled"] = "true", ["Hedging:DelayPercentile"] = "95", ["Hedging:MinDelay"] = "00:00:00.001" }
                : new Dictionary<string, string> { ["Hedging:Enabled"] = "false" }, cancellationToken);

        var latency = phase.Load.LatencyMs;
        return new TrafficReport([phase], Hedging: new HedgingFigures(enabled, latency.P50, latency.P99, latency.P999,
            latency.P50 > 0 ? Math.Round(latency.P99 / latency.P50, 3) : 0, phase.AttemptsPerCall ?? 0));
    }
}

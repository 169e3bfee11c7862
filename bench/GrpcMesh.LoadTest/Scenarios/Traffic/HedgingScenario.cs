using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// <c>hedging-off</c> / <c>hedging-on</c>: the mesh client (round robin) over three replicas, one of which stalls every
/// <see cref="StallEvery"/>-th GetUser it serves by <see cref="Stall"/>, with <c>Hedging:Enabled</c> off or on (every
/// other hedging setting shipped: delay 50 ms, 2 attempts). GetUser is NO_SIDE_EFFECTS, so it is hedged.
/// </summary>
internal sealed class HedgingScenario(bool enabled) : TrafficScenario(
    enabled ? "hedging-on" : "hedging-off",
    $"mesh client, Hedging:Enabled={(enabled ? "true" : "false")}, 3 replicas, one stalls every {StallEvery}th call by {Stall.TotalSeconds:0} s")
{
    public const int StallEvery = 100;
    public const string Stalling = "stalling";

    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(1);

    public override async Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken)
    {
        await using var replicas = await ReplicaSet.StartAsync(context, Name,
            [new("a"), new("b"), new(Stalling, "--Replica:SlowEvery", StallEvery.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Replica:SlowDelay", Stall.ToString())],
            cancellationToken);
        var phase = await MeshPhase.RunAsync(Name, enabled ? "hedged" : "not-hedged", $"replicas a, b and '{Stalling}'", context, progress, replicas,
            ["a", "b", Stalling], new Dictionary<string, string> { ["Hedging:Enabled"] = enabled ? "true" : "false" }, cancellationToken);

        var latency = phase.Load.LatencyMs;
        return new TrafficReport([phase], Hedging: new HedgingFigures(enabled, latency.P50, latency.P99, latency.P999,
            latency.P50 > 0 ? Math.Round(latency.P99 / latency.P50, 3) : 0, phase.AttemptsPerCall ?? 0));
    }
}

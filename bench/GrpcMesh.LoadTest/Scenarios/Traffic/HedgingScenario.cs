using GrpcMesh.LoadTest.Load;
using GrpcMesh.LoadTest.Reporting;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// <c>hedging-off</c> / <c>hedging-on</c>: the mesh client (round robin) over three replicas whose GetUser takes
/// <c>--hedging-service-time</c> (default 2 ms: a read from the service's database, timed precisely), one of which stalls every
/// <see cref="StallEvery"/>-th GetUser it serves by <see cref="Stall"/> (a third of the calls reach it: 1 % of all calls
/// stall), with hedging off, or on with the adaptive delay: each method's observed p95 (<c>Hedging:DelayPercentile</c>
/// 95, <c>Hedging:MinDelay</c> 1 ms, the lowest allowed, instead of the shipped 5 ms, which is above these calls' p95; 2 attempts as
/// shipped). GetUser is NO_SIDE_EFFECTS, so it is hedged. <c>hedging-nostall</c>: the same three replicas with no stall
/// and hedging off — the tail this box gives the path with nothing wrong, which hedging cannot go below. Measured twice:
/// an open loop at <c>--hedging-rate</c> (a service's normal life: the target figures) and the closed loop at
/// <see cref="MeshPhase.MaxConcurrency"/> (the box saturated, where its own queueing makes a tail of several × p50 with
/// no stall at all; reported beside).
/// </summary>
internal sealed class HedgingScenario(bool enabled, bool stalls = true) : TrafficScenario(
    !stalls ? "hedging-nostall" : enabled ? "hedging-on" : "hedging-off",
    $"mesh client, hedging {(enabled ? "on (delay = p95)" : "off")}, 3 replicas, " + (stalls ? $"one stalls every {StallEvery}th call by {Stall.TotalSeconds:0} s" : "none stalls"))
{
    public const int StallEvery = 33;
    public const string Stalling = "stalling";

    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(1);

    public override async Task<TrafficReport> RunAsync(ScenarioContext context, ProgressReporter progress, CancellationToken cancellationToken)
    {
        var third = stalls ? Stalling : "c";
        string[] serviceTime = ["--Replica:ExtraDelay", context.Options.HedgingServiceTime.ToString()];
        await using var replicas = await ReplicaSet.StartAsync(context, Name,
            [new("a", serviceTime), new("b", serviceTime),
                stalls ? new(Stalling, [.. serviceTime, "--Replica:SlowEvery", StallEvery.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Replica:SlowDelay", Stall.ToString()]) : new(third, serviceTime)],
            cancellationToken);
        string[] endpoints = ["a", "b", third];

        // Replicas fresh from start still JIT-compile in the background for seconds; a hedged warm-up that saturates the
        // box stretches that over the measured phase (and the hedges it provokes drain the retry budget), so every
        // replica is warmed through a plain client first, as the balancing scenarios do.
        await MeshPhase.WarmUpAsync(Name, context, progress, replicas, endpoints, cancellationToken);
        var settings = enabled
            ? new Dictionary<string, string> { ["Hedging:Enabled"] = "true", ["Hedging:DelayPercentile"] = "95", ["Hedging:MinDelay"] = "00:00:00.001" }
            : new Dictionary<string, string> { ["Hedging:Enabled"] = "false" };
        var name = enabled ? "hedged" : "not-hedged";
        var rate = context.Options.HedgingRate;
        var open = await MeshPhase.RunOpenLoopAsync(Name, name, $"replicas a, b and '{third}', open loop at {rate:0}/s", rate, context, progress,
            replicas, endpoints, settings, cancellationToken);
        var closed = await MeshPhase.RunAsync(Name, name + "-saturated", $"replicas a, b and '{third}', closed loop", context, progress,
            replicas, endpoints, settings, cancellationToken);

        var latency = open.Load.LatencyMs;
        var saturated = closed.Load.LatencyMs;
        return new TrafficReport([open, closed], Hedging: new HedgingFigures(enabled, rate, context.Options.HedgingServiceTime.TotalMilliseconds, latency.P50, latency.P99, latency.P999,
            Ratio(latency.P99, latency.P50), open.AttemptsPerCall ?? 0, closed.Load.OkPerSecond, Ratio(saturated.P99, saturated.P50), closed.AttemptsPerCall ?? 0));
    }

    private static double Ratio(double p99, double p50) => p50 > 0 ? Math.Round(p99 / p50, 3) : 0;
}

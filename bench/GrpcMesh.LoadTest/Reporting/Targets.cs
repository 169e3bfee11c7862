namespace GrpcMesh.LoadTest.Reporting;

/// <summary>The goals of issues 7, 17 and 18, checked against one run's numbers (null = not measured in this run).</summary>
internal static class Targets
{
    public static IReadOnlyList<TargetReport> Evaluate(IReadOnlyList<ScenarioReport> scenarios)
    {
        double? Rps(string name) => Find(scenarios, name)?.ClosedLoop?.OkPerSecond;
        double? HalfLoadP99(string name) => Find(scenarios, name)?.OpenLoop?.LatencyMs.P99;

        return
        [
            AtLeast("full-stack GetUser ÷ baseline (req/s)", Divide(Rps("userservice"), Rps("baseline")), 0.80, "userservice ÷ baseline"),
            AtLeast("full-stack GetUser ÷ baseline, Zipf keys (req/s)", Divide(Rps("userservice-zipf"), Rps("baseline-zipf")), 0.80, "userservice-zipf ÷ baseline-zipf"),
            AtLeast("full-stack GetOrder ÷ baseline GetOrder (req/s)", Divide(Rps("orders-get"), Rps("baseline-orders")), 0.80, "orders-get ÷ baseline-orders"),
            AtMost("p99 at half of max throughput, full-stack GetUser, Zipf keys (ms)", HalfLoadP99("userservice-zipf"), 5, "userservice-zipf open loop"),
            AtLeast("full-stack GetUser ÷ Python grpcio (req/s)", Divide(Rps("userservice"), Rps("python")), 10, "userservice ÷ python"),
            AtLeast("resilient two-hop ÷ raw two-hop (req/s)", Divide(Rps("twohop-resilient"), Rps("twohop-raw")), 0.85, "twohop-resilient ÷ twohop-raw"),
            AtMost("p99 at half of max throughput, full-stack GetUser (ms)", HalfLoadP99("userservice"), 5, "userservice open loop"),
            AtMost("p99 at half of max throughput, resilient two-hop (ms)", HalfLoadP99("twohop-resilient"), 5, "twohop-resilient open loop"),
            .. TrafficTargets(scenarios),
        ];
    }

    /// <summary>Issue 18: least-loaded balancing, hedging, overload admission, connection age.</summary>
    private static IEnumerable<TargetReport> TrafficTargets(IReadOnlyList<ScenarioReport> scenarios)
    {
        var balancing = Find(scenarios, "lb-least-loaded")?.Traffic?.Balancing;
        var hedging = Find(scenarios, "hedging-on")?.Traffic?.Hedging;
        var overload = Find(scenarios, "overload")?.Traffic?.Overload;
        var connectionAge = Find(scenarios, "connection-age")?.Traffic?.ConnectionAge;
        return
        [
            AtMost("least_loaded: share of calls to the replica slowed by 50 ms", balancing?.SlowReplicaShare, 0.10, "lb-least-loaded slow share"),
            AtMost("least_loaded: caller p99 ÷ all-healthy p99", balancing?.P99VsHealthy, 1.5, "lb-least-loaded p99 vs healthy"),
            AtMost("hedging: GetUser p99 ÷ p50 (one replica stalls 1 % of calls 1 s; open loop)", hedging?.P99VsP50, 3, "hedging-on open-loop p99 vs p50"),
            AtMost("hedging: attempts per call (open loop)", hedging?.AttemptsPerCall, 1.15, "hedging-on open-loop attempts per call"),
            AtLeast("overload at 3× peak: goodput ÷ peak", overload?.GoodputVsPeak, 0.9, "overload goodput vs peak"),
            AtMost("overload at 3× peak: admitted critical p99 ÷ unloaded p99", overload?.CriticalP99VsUnloaded, 2, "overload critical p99 vs unloaded"),
            AtMost("overload: critical calls refused while a sheddable call ran", overload?.CriticalRefusalsWhileSheddableRunning, 0, "overload priority inversions"),
            AtMost("connection age: most uneven replica share ÷ a third − 1 (Python, one channel, 1 → 3)", connectionAge?.MaxDeviationFromEven, 0.2, "connection-age spread"),
            AtMost("connection age: failed calls", connectionAge?.Failed, 0, "connection-age failures"),
        ];
    }

    private static ScenarioReport? Find(IReadOnlyList<ScenarioReport> scenarios, string name) =>
        scenarios.FirstOrDefault(s => s.Name == name && s.Outcome == Outcomes.Ok);

    private static double? Divide(double? a, double? b) => a is { } x && b is { } y && y > 0 ? Math.Round(x / y, 3) : null;

    private static TargetReport AtLeast(string name, double? measured, double threshold, string note) =>
        new(name, ">=", threshold, measured, measured is { } m ? m >= threshold : null, note);

    private static TargetReport AtMost(string name, double? measured, double threshold, string note) =>
        new(name, "<=", threshold, measured, measured is { } m ? m <= threshold : null, note);
}

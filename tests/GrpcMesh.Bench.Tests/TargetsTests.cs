using GrpcMesh.LoadTest.Reporting;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

public sealed class TargetsTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task Evaluate_MeasuredScenarios_ComparesRatiosAndLatenciesWithTheirThresholds() => TestTimeouts.RunSync(() =>
    {
        IReadOnlyList<ScenarioReport> scenarios =
        [
            Scenario("baseline", rps: 10_000, halfLoadP99: 1),
            Scenario("userservice", rps: 7_000, halfLoadP99: 6),
            Scenario("python", rps: 1_000, halfLoadP99: 2),
            Scenario("baseline-orders", rps: 10_000, halfLoadP99: 1),
            Scenario("orders-get", rps: 8_500, halfLoadP99: 2),
        ];

        var targets = Targets.Evaluate(scenarios).ToDictionary(t => t.Note);

        Assert.Equal(0.7, targets["userservice ÷ baseline"].Measured);
        Assert.False(targets["userservice ÷ baseline"].Met);
        Assert.Equal(7, targets["userservice ÷ python"].Measured);
        Assert.False(targets["userservice ÷ python"].Met);
        Assert.Equal(6, targets["userservice open loop"].Measured);
        Assert.False(targets["userservice open loop"].Met);
        Assert.Equal(0.85, targets["orders-get ÷ baseline-orders"].Measured);
        Assert.True(targets["orders-get ÷ baseline-orders"].Met);
        Assert.Null(targets["twohop-resilient ÷ twohop-raw"].Met);
        Assert.Null(targets["twohop-resilient ÷ twohop-raw"].Measured);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Evaluate_FailedScenario_IsNotMeasured() => TestTimeouts.RunSync(() =>
    {
        IReadOnlyList<ScenarioReport> scenarios =
        [
            Scenario("baseline", rps: 10_000, halfLoadP99: 1),
            Scenario("userservice", rps: 9_000, halfLoadP99: 1) with { Outcome = Outcomes.Failed },
        ];

        var target = Targets.Evaluate(scenarios).Single(t => t.Note == "userservice ÷ baseline");

        Assert.Null(target.Met);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Evaluate_TrafficScenarios_ChecksIssue18Figures() => TestTimeouts.RunSync(() =>
    {
        IReadOnlyList<ScenarioReport> scenarios =
        [
            Traffic("lb-least-loaded", new TrafficReport([], Balancing: new BalancingFigures("least_loaded", 0.08, 2, 3.5, 1.75))),
            Traffic("hedging-on", new TrafficReport([], Hedging: new HedgingFigures(true, 1200, 2, 1, 2.5, 60, 2.5, 1.02, 6000, 8, 1.04))),
            Traffic("overload", new TrafficReport([], Overload: new OverloadFigures(8, 2, 4_000, 3, 12_000, 3_800, 0.95, null, null, null, null, 100, 150, 1, 40, 2))),
        ];

        var targets = Targets.Evaluate(scenarios).ToDictionary(t => t.Note);

        Assert.True(targets["lb-least-loaded slow share"].Met);
        Assert.False(targets["lb-least-loaded p99 vs healthy"].Met);
        Assert.True(targets["hedging-on open-loop p99 vs p50"].Met);
        Assert.True(targets["hedging-on open-loop attempts per call"].Met);
        Assert.True(targets["overload goodput vs peak"].Met);
        Assert.Null(targets["overload critical p99 vs unloaded"].Met); // no critical call ended OK: not measured, not "met"
        Assert.Equal(2, targets["overload priority inversions"].Measured); // the exact count, not the 1 window
        Assert.False(targets["overload priority inversions"].Met);
    }, TestContext.Current.CancellationToken);

    private static ScenarioReport Traffic(string name, TrafficReport traffic) =>
        new(name, name, Outcomes.Ok, null, null, null, null, null, null, null, Traffic: traffic);

    private static ScenarioReport Scenario(string name, double rps, double halfLoadP99) => new(
        name, name, Outcomes.Ok, null, null, null, null,
        Phase("closed", rps, 1), Phase("open", rps / 2, halfLoadP99), null);

    private static PhaseReport Phase(string mode, double rps, double p99) => new(
        mode, 1, null, null, 1, (long)rps, 0, 0, rps, new LatencyReport(p99 / 2, p99 / 2, p99, p99, p99, p99 / 2),
        new Dictionary<string, long> { ["OK"] = (long)rps }, null);
}

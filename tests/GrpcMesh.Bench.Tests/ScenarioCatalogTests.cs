using GrpcMesh.LoadTest.Scenarios;
using GrpcMesh.LoadTest.Scenarios.Traffic;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

public sealed class ScenarioCatalogTests
{
    private static readonly string[] TrafficNames = ["lb-round-robin", "lb-least-loaded", "hedging-off", "hedging-on", "hedging-nostall", "overload", "connection-age", "refusals"];

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Select_NothingNamed_LeavesTheTrafficScenariosOut() => TestTimeouts.RunSync(() =>
    {
        var names = ScenarioCatalog.Select(null).Select(s => s.Name).ToList();

        Assert.Contains("baseline", names);
        Assert.DoesNotContain(names, n => TrafficNames.Contains(n));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Select_Traffic_RunsEveryTrafficScenarioBesidesTheNamedOnes() => TestTimeouts.RunSync(() =>
    {
        Assert.Equal(TrafficNames, ScenarioCatalog.Select(null, traffic: true).Select(s => s.Name));
        Assert.Equal(["baseline", .. TrafficNames], ScenarioCatalog.Select(["baseline"], traffic: true).Select(s => s.Name));
        Assert.All(ScenarioCatalog.Select(null, traffic: true), s => Assert.IsAssignableFrom<TrafficScenario>(s));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Select_OneTrafficScenarioNamed_RunsOnlyIt() => TestTimeouts.RunSync(() =>
    {
        Assert.Equal(["hedging-on"], ScenarioCatalog.Select(["hedging-on"]).Select(s => s.Name));
    }, TestContext.Current.CancellationToken);
}

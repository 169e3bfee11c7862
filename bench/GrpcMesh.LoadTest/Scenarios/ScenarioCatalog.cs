using GrpcMesh.LoadTest.Scenarios.Traffic;

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// Every scenario, in the order a full run measures them (the baseline first: the others are divided by it); the
/// traffic-management ones last, run only when named or with <c>--traffic</c>.
/// </summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All() =>
    [
        BaselineScenario.GetUser(),
        new UserServiceScenario(),
        new JsonUserServiceScenario(),
        BaselineScenario.GetUser(zipf: true),
        new UserServiceScenario(zipf: true),
        .. MeshFeatureSwitch.All.Select(feature => new UserServiceScenario(without: feature)),
        new PythonScenario(),
        new RelayScenario("raw"),
        new RelayScenario("resilient"),
        new OrderServiceScenario(create: true),
        BaselineScenario.GetOrder(),
        new OrderServiceScenario(create: false),
        new BalancingScenario(BalancingScenario.RoundRobin),
        new BalancingScenario(BalancingScenario.LeastLoaded),
        new HedgingScenario(enabled: false),
        new HedgingScenario(enabled: true),
        new HedgingScenario(enabled: false, stalls: false),
        new OverloadScenario(),
        new ConnectionAgeScenario(),
        new RefusalScenario(),
    ];

    /// <summary>
    /// The named scenarios (none named: every one a default run includes), plus every traffic scenario when
    /// <paramref name="traffic"/>; in catalog order.
    /// </summary>
    public static IReadOnlyList<Scenario> Select(IReadOnlyList<string>? names, bool traffic = false)
    {
        var all = All();
        if (names is null || names.Count == 0)
        {
            return [.. all.Where(s => traffic ? s is TrafficScenario : s.InDefaultRun)];
        }

        var unknown = names.Where(n => all.All(s => !s.Name.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown scenario(s) {string.Join(", ", unknown)}; known: {string.Join(", ", all.Select(s => s.Name))}");
        }

        return [.. all.Where(s => (traffic && s is TrafficScenario) || names.Any(n => s.Name.Equals(n, StringComparison.OrdinalIgnoreCase)))];
    }
}

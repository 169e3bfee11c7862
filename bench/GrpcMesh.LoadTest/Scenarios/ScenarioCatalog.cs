namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>Every scenario, in the order a full run measures them (the baseline first: the others are divided by it).</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All() =>
    [
        BaselineScenario.GetUser(),
        new UserServiceScenario(),
        BaselineScenario.GetUser(zipf: true),
        new UserServiceScenario(zipf: true),
        .. MeshFeatureSwitch.All.Select(feature => new UserServiceScenario(without: feature)),
        new PythonScenario(),
        new RelayScenario("raw"),
        new RelayScenario("resilient"),
        new OrderServiceScenario(create: true),
        BaselineScenario.GetOrder(),
        new OrderServiceScenario(create: false),
    ];

    public static IReadOnlyList<Scenario> Select(IReadOnlyList<string>? names)
    {
        var all = All();
        if (names is null || names.Count == 0)
        {
            return all;
        }

        var unknown = names.Where(n => all.All(s => !s.Name.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown scenario(s) {string.Join(", ", unknown)}; known: {string.Join(", ", all.Select(s => s.Name))}");
        }

        return [.. all.Where(s => names.Any(n => s.Name.Equals(n, StringComparison.OrdinalIgnoreCase)))];
    }
}

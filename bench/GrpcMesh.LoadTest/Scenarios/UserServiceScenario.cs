namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// UserService GetUser with everything production has (see <see cref="UserServiceProcess"/>): over a few users, over
/// many with Zipf-distributed keys, or (mesh tax) without one feature.
/// </summary>
internal sealed class UserServiceScenario : Scenario
{
    public const string FullStack = "userservice";

    private const string FullStackDescription = "UserService GetUser, full production stack (ServiceDefaults, SQLite in a temp dir)";

    private readonly bool _zipf;
    private readonly MeshFeatureSwitch? _without;

    public UserServiceScenario(bool zipf = false)
        : base(zipf ? FullStack + "-zipf" : FullStack, FullStackDescription + (zipf ? BaselineScenario.ZipfNote : "")) => _zipf = zipf;

    public UserServiceScenario(MeshFeatureSwitch without)
        : base($"{FullStack}-no{without.Name}", $"{FullStackDescription}, but {without.Description}") => _without = without;

    public override string? Baseline => _zipf ? "baseline-zipf" : "baseline";

    /// <summary>For a mesh-tax scenario, the feature it runs without.</summary>
    public MeshFeatureSwitch? Without => _without;

    public override IEnumerable<string> DotnetProjects => [UserServiceProcess.Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var users = await UserServiceProcess.StartAsync(context, Name, UserCalls.UserCount(context, _zipf), cancellationToken, _without);
        return new RunningScenario(users.Address, UserCalls.GetUser(users.UserIds, context, _zipf), [users.Server], null, users);
    }
}

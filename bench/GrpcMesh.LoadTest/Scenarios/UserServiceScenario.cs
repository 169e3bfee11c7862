namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>UserService GetUser with everything production has (see <see cref="UserServiceProcess"/>).</summary>
internal sealed class UserServiceScenario(bool zipf = false) : Scenario(
    zipf ? "userservice-zipf" : "userservice",
    "UserService GetUser, full production stack (ServiceDefaults, SQLite in a temp dir)" + (zipf ? BaselineScenario.ZipfNote : ""))
{
    public override string? Baseline => zipf ? "baseline-zipf" : "baseline";

    public override IEnumerable<string> DotnetProjects => [UserServiceProcess.Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var users = await UserServiceProcess.StartAsync(context, Name, UserCalls.UserCount(context, zipf), cancellationToken);
        return new RunningScenario(users.Address, UserCalls.GetUser(users.UserIds, context, zipf), [users.Server], null, users);
    }
}

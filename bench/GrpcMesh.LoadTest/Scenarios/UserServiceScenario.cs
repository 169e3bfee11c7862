namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>UserService GetUser with everything production has (see <see cref="UserServiceProcess"/>).</summary>
internal sealed class UserServiceScenario()
    : Scenario("userservice", "UserService GetUser, full production stack (ServiceDefaults, SQLite in a temp dir)")
{
    public override IEnumerable<string> DotnetProjects => [UserServiceProcess.Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var users = await UserServiceProcess.StartAsync(context, "userservice", cancellationToken);
        return new RunningScenario(users.Address, UserCalls.GetUser(users.UserIds, context.Auth.Headers), [users.Server], null, users);
    }
}

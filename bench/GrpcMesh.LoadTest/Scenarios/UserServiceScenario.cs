namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// The real UserService as shipped: its Release build with its own appsettings.json (full ServiceDefaults stack,
/// JSON logging, telemetry as configured by default), Production environment, SQLite in a fresh temp folder.
/// </summary>
internal sealed class UserServiceScenario()
    : Scenario("userservice", "UserService GetUser, full production stack (ServiceDefaults, SQLite in a temp dir)")
{
    public const string Project = "services/GrpcMesh.UserService";

    public override IEnumerable<string> DotnetProjects => [Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var data = new TempDirectory("grpcmesh-bench-users-");
        try
        {
            var (server, address) = await context.StartDotnetServerAsync("userservice", Project,
                ["--Storage:DataDirectory", data.Path], null, cancellationToken).ConfigureAwait(false);
            try
            {
                var ids = await UserCalls.SeedAsync(address, context.Options.Users, cancellationToken).ConfigureAwait(false);
                await UserCalls.VerifyAsync(address, ids[0], cancellationToken).ConfigureAwait(false);
                return new RunningScenario(address, UserCalls.GetUser(ids), [server], null, data);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }
}

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// Two hops: load → relay (bench/GrpcMesh.Bench.RelayServer, a ServiceDefaults server) → UserService (full stack).
/// The relay forwards GetUser through a raw GrpcChannel client or through GrpcMesh.Clients' AddUserServiceClient
/// (deadline + retry + circuit-breaker interceptors, HttpClientFactory); everything else is identical, so
/// resilient ÷ raw is the resilience tax on a real two-hop call.
/// </summary>
internal sealed class RelayScenario(string mode) : Scenario(
    $"twohop-{mode}",
    mode == "raw"
        ? "relay → UserService GetUser through a raw GrpcChannel client"
        : "relay → UserService GetUser through GrpcMesh.Clients (deadline, retry, breaker)")
{
    public const string Project = "bench/GrpcMesh.Bench.RelayServer";

    public override IEnumerable<string> DotnetProjects => [UserServiceProcess.Project, Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var users = await UserServiceProcess.StartAsync(context, $"{Name}-users", context.Options.Users, cancellationToken);
        try
        {
            var (relay, address) = await context.StartDotnetServerAsync($"{Name}-relay", Project,
                ["--Relay:Mode", mode, "--Relay:Backend", users.Address.ToString().TrimEnd('/')], null, cancellationToken);
            try
            {
                await UserCalls.VerifyAsync(address, users.UserIds[0], context.Auth.Headers, cancellationToken);
                return new RunningScenario(address, UserCalls.GetUser(users.UserIds, context.Auth.Headers), [users.Server, relay], $"relay mode {mode}", users);
            }
            catch
            {
                await relay.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await users.Server.DisposeAsync();
            users.Dispose();
            throw;
        }
    }
}

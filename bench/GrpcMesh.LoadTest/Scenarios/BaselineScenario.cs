namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>The ceiling: bare Grpc.AspNetCore answering GetUser from memory (bench/GrpcMesh.Bench.BaselineServer).</summary>
internal sealed class BaselineScenario(bool zipf = false) : Scenario(
    zipf ? "baseline-zipf" : "baseline",
    "bare Grpc.AspNetCore GetUser from an in-memory map (no interceptors, no telemetry)" + (zipf ? ZipfNote : ""))
{
    public const string ZipfNote = "; Zipf-distributed keys over --zipf-users users";

    public override string? Baseline => Name;

    public const string Project = "bench/GrpcMesh.Bench.BaselineServer";

    public override IEnumerable<string> DotnetProjects => [Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var (server, address) = await context.StartDotnetServerAsync("baseline", Project, [], null, cancellationToken);
        try
        {
            var ids = await UserCalls.SeedAsync(address, UserCalls.UserCount(context, zipf), context.Auth.Headers, cancellationToken);
            await UserCalls.VerifyAsync(address, ids[0], context.Auth.Headers, cancellationToken);
            return new RunningScenario(address, UserCalls.GetUser(ids, context, zipf), [server], null);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}

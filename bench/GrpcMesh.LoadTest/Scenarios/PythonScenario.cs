using System.Diagnostics;
using GrpcMesh.LoadTest.Hosting;

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// Debian's python3-grpcio serving the same proto (bench/python/user_server.py; stubs generated at start-up).
/// </summary>
internal sealed class PythonScenario()
    : Scenario("python", "Python grpcio GetUser from an in-memory dict (Debian python3-grpcio)")
{
    public const string Script = "bench/python/user_server.py";

    public override Task<string?> UnavailableReasonAsync(CancellationToken cancellationToken) => DebianPython.UnavailableReasonAsync(cancellationToken);

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var script = context.Repo.PathOf(Script);
        var (server, address) = await context.StartServerAsync("python", port =>
            new ProcessStartInfo(DebianPython.Interpreter, [script, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mode", context.Options.PythonMode])
            {
                WorkingDirectory = context.Repo.Root,
            }, cancellationToken);
        try
        {
            var ids = await UserCalls.SeedAsync(address, context.Options.Users, context.Auth.Headers, cancellationToken);
            await UserCalls.VerifyAsync(address, ids[0], context.Auth.Headers, cancellationToken);
            var banner = server.RecentOutput.Split('\n').FirstOrDefault(l => l.StartsWith("listening", StringComparison.Ordinal));
            return new RunningScenario(address, UserCalls.GetUser(ids, context.Auth.Headers), [server], banner?.Trim());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}

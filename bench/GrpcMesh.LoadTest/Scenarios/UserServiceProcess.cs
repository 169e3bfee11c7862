using GrpcMesh.LoadTest.Hosting;

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// The real UserService as shipped: its build output with its own appsettings.json (full ServiceDefaults stack,
/// JSON logging, telemetry as configured by default), Production environment, SQLite in a fresh temp folder,
/// seeded with users through CreateUser.
/// </summary>
internal sealed class UserServiceProcess : IDisposable
{
    public const string Project = "services/GrpcMesh.UserService";

    private UserServiceProcess(ServerProcess server, Uri address, string[] userIds, TempDirectory data)
    {
        Server = server;
        Address = address;
        UserIds = userIds;
        Data = data;
    }

    public ServerProcess Server { get; }

    public Uri Address { get; }

    public string[] UserIds { get; }

    public TempDirectory Data { get; }

    public static async Task<UserServiceProcess> StartAsync(
        ScenarioContext context, string name, int users, CancellationToken cancellationToken, MeshFeatureSwitch? without = null,
        IReadOnlyList<string>? arguments = null)
    {
        var data = new TempDirectory("grpcmesh-bench-users-");
        try
        {
            var (server, address) = await context.StartDotnetServerAsync(name, Project,
                ["--Storage:DataDirectory", data.Path, .. without?.Arguments ?? [], .. arguments ?? []], without?.Environment, cancellationToken);
            try
            {
                var ids = await UserCalls.SeedAsync(address, users, context.Auth.Headers, cancellationToken);
                await UserCalls.VerifyAsync(address, ids[0], context.Auth.Headers, cancellationToken);
                return new UserServiceProcess(server, address, ids, data);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Only the data folder: the server process is stopped by the <see cref="RunningScenario"/> that lists it.</summary>
    public void Dispose() => Data.Dispose();
}

using System.Diagnostics;
using GrpcMesh.LoadTest.Cli;
using GrpcMesh.LoadTest.Hosting;

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>What scenarios need to start servers: the repo layout, the options and where to echo server output.</summary>
internal sealed class ScenarioContext(RepoLayout repo, LoadTestOptions options, TextWriter log)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public RepoLayout Repo { get; } = repo;

    public LoadTestOptions Options { get; } = options;

    public TextWriter Log { get; } = log;

    public BenchAuth Auth { get; } = new(TimeProvider.System);

    /// <summary>
    /// Starts a server on a free loopback port and waits until it answers gRPC. Tries another port once if the
    /// process dies during start-up (the port may have been taken between picking and binding it).
    /// </summary>
    public async Task<(ServerProcess Server, Uri Address)> StartServerAsync(
        string name, Func<int, ProcessStartInfo> startInfo, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var address = new Uri($"http://127.0.0.1:{port}");
            var server = ServerProcess.Start(name, startInfo(port), Options.Verbose ? Log : null);
            try
            {
                await ReadinessProbe.WaitAsync(address, server, StartTimeout, cancellationToken);
                return (server, address);
            }
            catch (InvalidOperationException) when (attempt == 1 && server.HasExited)
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Settings every .NET server gets: the run's signing key (auth stays on), and a per-caller rate limit far above
    /// what one load generator can send — the limiter still runs on every call, but the bench is one caller, and the
    /// shipped 1,000 req/s per caller would measure the limit instead of the server.
    /// </summary>
    private string[] ServerDefaults() =>
        ["--Auth:SigningKey", Auth.SigningKey, "--Limits:PermitsPerSecond", "1000000", "--Limits:Burst", "1000000"];

    /// <summary>Starts <c>dotnet {project dll}</c> with <c>--urls</c> set to the chosen port, in Production.</summary>
    public Task<(ServerProcess Server, Uri Address)> StartDotnetServerAsync(
        string name, string projectDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken)
    {
        var project = Repo.Project(projectDirectory);
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in Options.ServerEnvironment)
        {
            env[key] = value;
        }

        return StartServerAsync(name, port => ServerProcess.Dotnet(project.AssemblyPath,
            ["--urls", $"http://127.0.0.1:{port}", .. ServerDefaults(), .. args], env), cancellationToken);
    }
}

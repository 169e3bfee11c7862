extern alias userservice;

using System.Net;
using Grpc.AspNetCore.HealthChecks;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserServiceMarker = userservice::GrpcMesh.UserService.UserServiceMarker;

namespace GrpcMesh.Clients.Tests.Replicas;

/// <summary>
/// One replica of the real UserService (its Program) on Kestrel at 127.0.0.1:<see cref="Port"/>, h2c. Replicas of one
/// test share a data directory, so a user created through one is readable through all (SQLite WAL, same machine).
/// </summary>
public sealed class UserServiceReplica : WebApplicationFactory<UserServiceMarker>
{
    private readonly string _dataDirectory;

    private UserServiceReplica(string dataDirectory, int port)
    {
        _dataDirectory = dataDirectory;

        // Not UseKestrel(port): with a minimal-hosting app the factory sets that port on the server's address list while
        // the app's own thread may already be starting the server (a race: "Addresses cannot be modified after the
        // server has started"). An endpoint set in Kestrel's options is in place before the host is built.
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
    }

    public ReplicaControl Control { get; } = new();

    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:port</c>, as the client names the endpoint.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts a replica on <paramref name="port"/> (0: a free one).</summary>
    public static UserServiceReplica Start(string dataDirectory, int port = 0)
    {
        var replica = new UserServiceReplica(dataDirectory, port);
        replica.StartServer();
        var address = replica.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        replica.Port = new Uri(address).Port;
        return replica;
    }

    /// <summary>
    /// What DrainOnShutdownService does when a drain starts: every health name reports NOT_SERVING at once (pushed to open
    /// Watch streams) while calls are still served. The test switch keeps the health publisher from flipping it back.
    /// </summary>
    public void BeginDrain()
    {
        Control.Serving = false;
        var health = Services.GetRequiredService<HealthServiceImpl>();
        foreach (var name in Services.GetRequiredService<IOptions<GrpcHealthChecksOptions>>().Value.Services.Select(s => s.Name))
        {
            health.SetStatus(name, HealthCheckResponse.Types.ServingStatus.NotServing);
        }
    }

    /// <summary>Like a crash: Kestrel drops every connection at once (no GOAWAY wait, in-flight calls fail), then the host goes.</summary>
    public async Task KillAsync()
    {
        await Services.GetRequiredService<IServer>().StopAsync(new CancellationToken(canceled: true));
        await DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:DataDirectory", _dataDirectory);
        // These tests load replicas hard from one loopback caller; the per-caller rate limit is not what they measure.
        builder.UseSetting("Limits:PermitsPerSecond", "1000000");
        builder.UseSetting("Limits:Burst", "1000000");
        builder.UseSetting("Auth:Enabled", "false");
        // The load tests drive replicas from one loopback address as fast as they go; rate limiting is not under test.
        builder.UseSetting("Limits:PermitsPerSecond", "0");
        builder.ConfigureServices(services =>
        {
            services.AddLogging(logging => logging.ClearProviders());
            services.AddSingleton(Control);
            services.AddGrpc(o => o.Interceptors.Add<ReplicaControlInterceptor>());
            services.AddHealthChecks().AddCheck("replica", () => Control.Serving
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("draining (test switch)"));
        });
    }
}

using GrpcMesh.Testing;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>A DI container with the registered UserService client (the consumer's one line) and a metric recorder.</summary>
public sealed class ClientHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public ClientHarness(Uri address, Action<GrpcMeshClientOptions>? configure = null, TimeProvider? time = null, Action<IHttpClientBuilder>? http = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        if (time is not null)
        {
            services.AddKeyedSingleton(GrpcMeshClientNames.ClockServiceKey, time);
        }

        var builder = services.AddUserServiceClient(o =>
        {
            o.Address = address;
            o.Retry.InitialBackoff = TimeSpan.FromMilliseconds(1);
            o.Retry.MaxBackoff = TimeSpan.FromMilliseconds(5);
            configure?.Invoke(o);
        });
        http?.Invoke(builder);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Metrics = new MetricRecorder(_services.GetRequiredService<GrpcMeshClientTelemetry>().Meter);
    }

    public UserService.UserServiceClient Client => _services.GetRequiredService<UserService.UserServiceClient>();

    public MetricRecorder Metrics { get; }

    public IServiceProvider Services => _services;

    public void Dispose()
    {
        Metrics.Dispose();
        _services.Dispose();
    }
}

using GrpcMesh.User.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// The real GrpcMesh UserService client in the load generator, registered as a service registers it
/// (<c>AddUserServiceClient</c> bound to <c>Clients:UserService:*</c>): balancing, health watches, retry, hedging,
/// breaker and all. Only the given settings differ from the shipped defaults. Disposing stops its connections and watches.
/// </summary>
internal sealed class MeshClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public MeshClient(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddUserServiceClient(configuration);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        // One generated client (one channel, one set of subchannels) shared by every worker, as a service holds it.
        Client = _services.GetRequiredService<UserService.UserServiceClient>();
        Settings = settings;
    }

    public UserService.UserServiceClient Client { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

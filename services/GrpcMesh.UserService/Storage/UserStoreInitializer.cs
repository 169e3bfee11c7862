
namespace GrpcMesh.UserService.Storage;

/// <summary>
/// Creates or migrates the schema at start-up. Hosted services start before Kestrel accepts connections,
/// so no call ever sees a missing table; a failure here stops the host with the reason.
/// </summary>
internal sealed class UserStoreInitializer(IUserStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

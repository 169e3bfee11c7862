namespace GrpcMesh.OrderService.Storage;

/// <summary>Brings the order schema up to date before the sweeper and the gRPC endpoint start.</summary>
public sealed class OrderStoreMigrator(IOrderStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

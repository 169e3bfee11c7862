using GrpcMesh.OrderService.Storage;
using GrpcMesh.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrpcMesh.OrderService.Events;

/// <summary>
/// PostgreSQL only (returns at once for other providers): LISTENs on the channel the stores NOTIFY inside each
/// event-writing transaction (delivered at commit), and wakes this process's <see cref="OrderEventHub"/>, so watchers see
/// events written through other replicas without waiting for the poll interval. A lost notification only delays
/// delivery until the next poll.
/// </summary>
public sealed class PostgresEventListener(
    IOptions<StorageOptions> storage,
    IServiceProvider services,
    OrderEventSignal signal,
    ILogger<PostgresEventListener> logger) : BackgroundService, IPostgresNotificationHandler
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Provider != StorageProvider.Postgres)
        {
            return;
        }

        await Task.Yield(); // do not hold up host start
        var listener = new PostgresNotificationListener(services.GetRequiredService<NpgsqlDataSource>(), PostgresOrderSchema.EventChannel, logger);
        await listener.RunAsync(this, stoppingToken);
    }

    /// <summary>Anything committed while not listening.</summary>
    public void OnListening() => signal.Notify();

    public void OnNotification(string payload) => signal.Notify();

    public void OnLost()
    {
        // the hub's poll keeps delivering, later
    }
}

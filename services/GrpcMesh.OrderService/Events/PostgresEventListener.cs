using GrpcMesh.OrderService.Storage;
using GrpcMesh.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrpcMesh.OrderService.Events;

/// <summary>
/// PostgreSQL only (returns at once for other providers): LISTENs on the channel the stores NOTIFY inside each event-writing transaction (delivered at commit),
/// and wakes this process's <see cref="OrderEventHub"/>, so watchers see events written through other replicas without
/// waiting for the poll interval. One dedicated connection per process; reconnects after failures. A lost notification
/// only delays delivery until the next poll.
/// </summary>
public sealed partial class PostgresEventListener(
    IOptions<StorageOptions> storage,
    IServiceProvider services,
    OrderEventSignal signal,
    ILogger<PostgresEventListener> logger) : BackgroundService
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Provider != StorageProvider.Postgres)
        {
            return;
        }

        await Task.Yield(); // do not hold up host start
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Notify();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresOrderSchema.EventChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                signal.Notify(); // anything committed while not listening
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(logger, ex, ReconnectDelay);
                try
                {
                    await Task.Delay(ReconnectDelay, stoppingToken); // real time, like the hub's polls
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 2220, Level = LogLevel.Warning, Message = "LISTEN for order events failed; polling only, reconnecting in {Delay}")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, TimeSpan delay);
}

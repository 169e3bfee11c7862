using Microsoft.Extensions.Logging;
using Npgsql;

namespace GrpcMesh.Storage;

/// <summary>What a <see cref="PostgresNotificationListener"/> reports.</summary>
public interface IPostgresNotificationHandler
{
    /// <summary>LISTEN is in place: from now on every commit that notifies the channel arrives. Anything before may have been missed.</summary>
    void OnListening();

    /// <summary>A NOTIFY on the channel (delivered at the notifying transaction's commit), with its payload.</summary>
    void OnNotification(string payload);

    /// <summary>The connection failed: notifications may be lost until the next <see cref="OnListening"/>.</summary>
    void OnLost();
}

/// <summary>
/// One dedicated connection that LISTENs on a channel and reports to a handler; reconnects after failures. While idle it
/// proves the connection alive with a round trip every <see cref="Heartbeat"/>, so a connection that died without
/// closing is found within about twice that. The session's <c>application_name</c> ends in <c>(LISTEN channel)</c>.
/// </summary>
public sealed partial class PostgresNotificationListener(NpgsqlDataSource dataSource, string channel, ILogger logger)
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);

    /// <summary>Listens until <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(IPostgresNotificationHandler handler, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(handler, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                handler.OnLost();
                LogListenFailed(logger, ex, channel, ReconnectDelay);
                try
                {
                    await Task.Delay(ReconnectDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListenAsync(IPostgresNotificationHandler handler, CancellationToken stoppingToken)
    {
        var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            connection.Notification += (_, e) => handler.OnNotification(e.Payload);
            // The name tells operators (pg_stat_activity) which session this is.
            var listen = new NpgsqlCommand($"SET application_name = '{new NpgsqlConnectionStringBuilder(connection.ConnectionString).ApplicationName?.Replace("'", "''", StringComparison.Ordinal)} (LISTEN {channel})'; LISTEN {channel}", connection);
            await using (listen.ConfigureAwait(false))
            {
                await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
            }

            handler.OnListening();
            while (true)
            {
                if (!await connection.WaitAsync(Heartbeat, stoppingToken).ConfigureAwait(false))
                {
                    var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)Heartbeat.TotalSeconds };
                    await using (ping.ConfigureAwait(false))
                    {
                        await ping.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "LISTEN {Channel} failed; reconnecting in {Delay}")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, string channel, TimeSpan delay);
}

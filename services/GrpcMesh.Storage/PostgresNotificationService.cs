using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrpcMesh.Storage;

/// <summary>A handler that also names the channel it listens on.</summary>
public interface IPostgresChannelHandler : IPostgresNotificationHandler
{
    string Channel { get; }
}

/// <summary>
/// Runs a <see cref="PostgresNotificationListener"/> for <typeparamref name="THandler"/> while the host runs, when
/// <c>Storage:Provider</c> is Postgres (idle otherwise).
/// </summary>
public sealed class PostgresNotificationService<THandler>(
    IOptions<StorageOptions> storage, IServiceProvider services, THandler handler, ILogger<THandler> logger) : BackgroundService
    where THandler : class, IPostgresChannelHandler
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Provider != StorageProvider.Postgres)
        {
            return;
        }

        await Task.Yield(); // do not hold up host start
        var listener = new PostgresNotificationListener(services.GetRequiredService<NpgsqlDataSource>(), handler.Channel, logger);
        await listener.RunAsync(handler, stoppingToken).ConfigureAwait(false);
    }
}

public static class PostgresNotificationExtensions
{
    /// <summary>Registers <typeparamref name="THandler"/> (a singleton) and the hosted service that feeds it on PostgreSQL.</summary>
    public static IServiceCollection AddPostgresNotifications<THandler>(this IServiceCollection services)
        where THandler : class, IPostgresChannelHandler
    {
        services.TryAddSingleton<THandler>();
        return services.AddHostedService<PostgresNotificationService<THandler>>();
    }
}

using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Events;
using GrpcMesh.ServiceDefaults;
using GrpcMesh.Storage;
using GrpcMesh.Storage.Caching;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrpcMesh.OrderService.Storage;

public static class OrderStorageRegistration
{
    /// <summary>The SQLite file under <c>Storage:DataDirectory</c>.</summary>
    public const string SqliteFileName = "orders.db";

    /// <summary>The <c>Application Name</c> PostgreSQL sessions report unless the connection string sets one.</summary>
    public const string PostgresApplicationName = "GrpcMesh.OrderService";

    /// <summary>
    /// The <c>Storage</c> section (validated on start), the <see cref="IOrderStore"/> for <c>Storage:Provider</c> with its
    /// schema migrated on start, and the event wake-up: the in-process <see cref="OrderEventSignal"/> and, for PostgreSQL,
    /// a LISTEN connection. For PostgreSQL one pooled <see cref="NpgsqlDataSource"/> (singleton, disposed with the host).
    /// </summary>
    public static IServiceCollection AddOrderStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.SectionName);
        services.AddSingleton<OrderEventSignal>();
        services.AddSingleton(sp => PostgresDataSources.Create(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, PostgresApplicationName, sp.GetRequiredService<ILoggerFactory>()));
        services.AddCachedStore<IOrderStore, OrderRecord>("orders", CreateStore, (store, cache) => new CachedOrderStore(store, cache));
        services.AddSchemaMigration<IOrderStore>();
        services.AddPostgresNotifications<PostgresEventListener>(); // idle unless the provider is Postgres

        return services;
    }

    private static IOrderStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var signal = services.GetRequiredService<OrderEventSignal>();
        return options.Provider switch
        {
            StorageProvider.Sqlite => new SqliteOrderStore(
                SqliteConnectionFactory.ForDataDirectory(options, services.GetRequiredService<IHostEnvironment>().ContentRootPath, SqliteFileName),
                signal),
            StorageProvider.Postgres => new PostgresOrderStore(services.GetRequiredService<NpgsqlDataSource>(), signal),
            _ => throw new InvalidOperationException($"Storage:Provider '{options.Provider}' is not supported in OrderService"),
        };
    }
}

using GrpcMesh.ServiceDefaults;
using GrpcMesh.Storage;
using GrpcMesh.Storage.Caching;
using GrpcMesh.UserService.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrpcMesh.UserService.Storage;

public static class UserStorageRegistration
{
    /// <summary>The SQLite file under <c>Storage:DataDirectory</c>.</summary>
    public const string SqliteFileName = "users.db";

    /// <summary>The <c>Application Name</c> PostgreSQL sessions report unless the connection string sets one.</summary>
    public const string PostgresApplicationName = "GrpcMesh.UserService";

    /// <summary>
    /// Binds and validates the <c>Storage</c> section at start-up, registers the <see cref="IUserStore"/> for
    /// <c>Storage:Provider</c> and a hosted service that creates/migrates the schema before the server starts.
    /// For Postgres, one pooled <see cref="NpgsqlDataSource"/> (a singleton, disposed with the host) serves the store.
    /// GetUser is served from a <see cref="ReadCache{TValue}"/> (<c>Storage:ReadCache</c>) kept coherent by the store's
    /// writes here and, on PostgreSQL, by <see cref="UserChangeListener"/> for writes through other replicas.
    /// Adding a provider means one more case in <see cref="CreateStore"/> (and in the options validator).
    /// </summary>
    public static IServiceCollection AddUserStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.SectionName);
        services.AddSingleton(services => PostgresDataSources.Create(
            services.GetRequiredService<IOptions<StorageOptions>>().Value, PostgresApplicationName, services.GetRequiredService<ILoggerFactory>()));
        services.AddCachedStore<IUserStore, UserAccount>("users", CreateStore, (store, cache) => new CachedUserStore(store, cache));
        services.AddPostgresNotifications<UserChangeListener>();
        services.AddSchemaMigration<IUserStore>();
        return services;
    }

    private static IUserStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var timeProvider = services.GetRequiredService<TimeProvider>();
        return options.Provider switch
        {
            StorageProvider.Sqlite => new SqliteUserStore(
                SqliteConnectionFactory.ForDataDirectory(options, services.GetRequiredService<IHostEnvironment>().ContentRootPath, SqliteFileName),
                timeProvider),
            StorageProvider.Postgres => new PostgresUserStore(
                services.GetRequiredService<NpgsqlDataSource>(),
                timeProvider,
                services.GetRequiredService<ILogger<PostgresUserStore>>()),
            _ => throw new InvalidOperationException($"Storage:Provider '{options.Provider}' is not supported in UserService"),
        };
    }
}

using GrpcMesh.ServiceDefaults;
using GrpcMesh.Storage;
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
    /// Adding a provider means one more case in <see cref="CreateStore"/> (and in the options validator).
    /// </summary>
    public static IServiceCollection AddUserStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.SectionName);
        services.AddSingleton(services => PostgresDataSources.Create(
            services.GetRequiredService<IOptions<StorageOptions>>().Value, PostgresApplicationName, services.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(CreateStore);
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

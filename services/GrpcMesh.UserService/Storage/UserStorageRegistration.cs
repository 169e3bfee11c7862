using GrpcMesh.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace GrpcMesh.UserService.Storage;

public static class UserStorageRegistration
{
    /// <summary>The SQLite file under <c>Storage:DataDirectory</c>.</summary>
    public const string SqliteFileName = "users.db";

    /// <summary>
    /// Binds and validates the <c>Storage</c> section at start-up, registers the <see cref="IUserStore"/> for
    /// <c>Storage:Provider</c> and a hosted service that creates/migrates the schema before the server starts.
    /// Adding a provider means one more case in <see cref="CreateStore"/> (and in the options validator).
    /// </summary>
    public static IServiceCollection AddUserStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, UserStorageOptionsValidator>();
        services.AddSingleton(CreateStore);
        services.AddHostedService<UserStoreInitializer>();
        return services;
    }

    private static IUserStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        return options.Provider switch
        {
            StorageProvider.Sqlite => new SqliteUserStore(
                SqliteConnectionFactory.ForDataDirectory(options, services.GetRequiredService<IHostEnvironment>().ContentRootPath, SqliteFileName),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<SqliteUserStore>>()),
            _ => throw new InvalidOperationException($"Storage:Provider '{options.Provider}' is not available yet in UserService"),
        };
    }
}

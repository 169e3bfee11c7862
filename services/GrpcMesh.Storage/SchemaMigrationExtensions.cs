using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Storage;

public static class SchemaMigrationExtensions
{
    /// <summary>Migrates the registered <typeparamref name="TStore"/>'s schema at start-up, before the server accepts calls.</summary>
    public static IServiceCollection AddSchemaMigration<TStore>(this IServiceCollection services)
        where TStore : class, IMigratedStore
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHostedService<SchemaMigrationService<TStore>>();
    }
}

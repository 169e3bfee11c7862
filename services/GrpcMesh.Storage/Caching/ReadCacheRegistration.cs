using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GrpcMesh.Storage.Caching;

public static class ReadCacheRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TStore"/>: what <paramref name="createStore"/> makes, wrapped by
    /// <paramref name="cached"/> around a <see cref="ReadCache{TValue}"/> named <paramref name="name"/> unless
    /// <c>Storage:ReadCache:Enabled</c> is false. On PostgreSQL the cache starts suspended: the service's change
    /// listener resumes it once it LISTENs.
    /// </summary>
    public static IServiceCollection AddCachedStore<TStore, TValue>(
        this IServiceCollection services, string name, Func<IServiceProvider, TStore> createStore, Func<TStore, ReadCache<TValue>, TStore> cached)
        where TStore : class
        where TValue : class
    {
        services.AddOptions<ReadCacheOptions>().BindConfiguration(ReadCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ReadCacheMetrics>();
        services.AddSingleton(sp => new ReadCache<TValue>(
            name,
            sp.GetRequiredService<IOptions<ReadCacheOptions>>().Value,
            sp.GetRequiredService<ReadCacheMetrics>(),
            serving: sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider != StorageProvider.Postgres));
        return services.AddSingleton(sp => sp.GetRequiredService<IOptions<ReadCacheOptions>>().Value.Enabled
            ? cached(createStore(sp), sp.GetRequiredService<ReadCache<TValue>>())
            : createStore(sp));
    }
}

using GrpcMesh.OrderService.Saga;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.OrderService.Upstream;
using GrpcMesh.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GrpcMesh.OrderService;

public static class OrderServiceRegistration
{
    public const string DatabaseFileName = "orders.db";

    /// <summary>Options, storage (schema migrated on start), the UserService client, the saga and its sweeper.</summary>
    public static WebApplicationBuilder AddOrderService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<OrderServiceOptions>()
            .Bind(builder.Configuration.GetSection(OrderServiceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IOrderStore>(sp => CreateStore(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<IHostEnvironment>().ContentRootPath));
        services.AddHostedService<OrderStoreMigrator>();

        services.AddUserServiceUpstream(builder.Configuration);
        services.AddSingleton<InFlightSagas>();
        services.AddTransient<CompensationRunner>();
        services.AddTransient<CreateOrderSaga>();
        services.AddTransient<OrderCancellation>();
        services.AddSingleton<SagaSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<SagaSweeper>());
        return builder;
    }

    private static SqliteOrderStore CreateStore(StorageOptions storage, string contentRoot) => storage.Provider switch
    {
        StorageProvider.Sqlite => new SqliteOrderStore(SqliteConnectionFactory.ForDataDirectory(storage, contentRoot, DatabaseFileName)),
        _ => throw new NotSupportedException($"OrderService does not support Storage:Provider {storage.Provider} yet; use Sqlite"),
    };
}

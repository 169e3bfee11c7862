using GrpcMesh.OrderService.Events;
using GrpcMesh.OrderService.Grpc;
using GrpcMesh.OrderService.Saga;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.OrderService.Upstream;
using GrpcMesh.ServiceDefaults;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.OrderService;

public static class OrderServiceRegistration
{
    /// <summary>Options, storage (schema migrated on start), the UserService client, the saga and its sweeper, the event hub.</summary>
    public static WebApplicationBuilder AddOrderService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<OrderServiceOptions>(OrderServiceOptions.SectionName);
        services.AddOrderStorage();
        // Readiness follows this service's own store only: UserService being down is the breaker's business.
        services.AddHealthChecks()
            .AddStorageCheck((sp, ct) => new ValueTask(sp.GetRequiredService<IOrderStore>().PingAsync(ct)));

        services.AddMethodScopes(OrderServiceScopes.Map);
        services.AddUserServiceUpstream(builder.Configuration);
        services.AddSingleton<InFlightSagas>();
        // Resolved at start (the sweeper needs it), so the outbox gauges are exported before the first order.
        services.AddSingleton<OrderMetrics>();
        services.AddTransient<CompensationRunner>();
        services.AddTransient<CreateOrderSaga>();
        services.AddTransient<OrderCancellation>();
        services.AddSingleton<SagaSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<SagaSweeper>());

        services.AddValidatedOptions<WatchOptions>(WatchOptions.SectionName);
        services.AddSingleton<OrderEventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<OrderEventHub>());
        services.AddTransient<OrderWatchStream>();
        services.AddSingleton<OrderGrpcService>();
        return builder;
    }

    /// <summary>Maps grpcmesh.order.v1.OrderService.</summary>
    public static IEndpointRouteBuilder MapOrderService(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<OrderGrpcService>();
        return app;
    }
}

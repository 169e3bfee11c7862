using GrpcMesh.UserService.Domain;
using GrpcMesh.UserService.Grpc;
using GrpcMesh.UserService.Storage;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.UserService;

public static class UserServiceRegistration
{
    /// <summary>
    /// Everything <see cref="UserGrpcService"/> needs: storage for <c>Storage:Provider</c> (schema migrated at
    /// start-up), id generation, the system clock unless a <see cref="TimeProvider"/> is already registered, and the
    /// interceptor that maps domain refusals to gRPC statuses.
    /// </summary>
    public static WebApplicationBuilder AddUserService(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserIdGenerator>();
        builder.Services.AddUserStorage();
        builder.Services.AddMethodScopes(UserServiceScopes.Map);
        builder.Services.AddHealthChecks()
            .AddStorageCheck((sp, ct) => new ValueTask(sp.GetRequiredService<IUserStore>().PingAsync(ct)));
        // Both are stateless: as singletons grpc-dotnet resolves them per call instead of constructing them per call.
        builder.Services.AddSingleton<UserGrpcService>();
        builder.Services.AddSingleton<DomainExceptionInterceptor>();
        builder.Services.AddGrpc()
            .AddServiceOptions<UserGrpcService>(options => options.Interceptors.Add<DomainExceptionInterceptor>());
        return builder;
    }

    /// <summary>Maps grpcmesh.user.v1.UserService.</summary>
    public static IEndpointRouteBuilder MapUserService(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<UserGrpcService>();
        return app;
    }
}

using GrpcMesh.UserService.Domain;
using GrpcMesh.UserService.Grpc;
using GrpcMesh.UserService.Storage;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.UserService;

public static class UserServiceRegistration
{
    /// <summary>
    /// Everything <see cref="UserGrpcService"/> needs: storage for <c>Storage:Provider</c> (schema migrated at
    /// start-up), id generation, the system clock unless a <see cref="TimeProvider"/> is already registered, and the
    /// mapper that turns domain refusals into gRPC statuses.
    /// </summary>
    public static WebApplicationBuilder AddUserService(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserIdGenerator>();
        builder.Services.AddUserStorage();
        builder.Services.AddMethodScopes(UserServiceScopes.Map);
        builder.Services.AddHealthChecks()
            .AddStorageCheck((sp, ct) => new ValueTask(sp.GetRequiredService<IUserStore>().PingAsync(ct)));
        // Stateless: as a singleton grpc-dotnet resolves it per call instead of constructing it per call.
        builder.Services.AddSingleton<UserGrpcService>();
        builder.Services.AddRpcExceptionMapper<DomainExceptionMapper>();
        return builder;
    }

    /// <summary>Maps grpcmesh.user.v1.UserService.</summary>
    public static IEndpointRouteBuilder MapUserService(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<UserGrpcService>();
        return app;
    }
}

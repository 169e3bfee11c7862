using Grpc.AspNetCore.Server;
using GrpcMesh.Clients;
using GrpcMesh.Clients.Auth;
using GrpcMesh.Clients.Context;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.OrderService.Upstream;

public static class UserServiceClientRegistration
{
    /// <summary>
    /// The UserService client from GrpcMesh.Clients (deadline → budgeted retry → circuit breaker; options under
    /// <c>Clients:UserService</c>), plus the server interceptor that lets outgoing calls inherit the incoming
    /// call's deadline and cancellation and apply the no-retry-across-hops rule, and the service credential the client
    /// attaches to every call (<see cref="ServiceCredential"/>).
    /// </summary>
    public static IServiceCollection AddUserServiceUpstream(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddUserServiceClient(configuration);
        services.AddKeyedSingleton<ICallTokenProvider, ServiceCredential>(GrpcMeshClientNames.UserService);
        // A singleton (it only sets the ambient accessor): grpc-dotnet would otherwise construct it on every call.
        services.TryAddSingleton<ServerCallContextCaptureInterceptor>();
        services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<ServerCallContextCaptureInterceptor>());
        services.AddTransient<UserCreditGateway>();
        return services;
    }
}

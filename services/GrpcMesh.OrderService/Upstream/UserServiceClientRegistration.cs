using GrpcMesh.OrderService.Grpc;
using GrpcMesh.ServiceDefaults.Upstream;

namespace GrpcMesh.OrderService.Upstream;

public static class UserServiceClientRegistration
{
    /// <summary>The subject of OrderService's own credential for its UserService calls.</summary>
    public const string ServiceSubject = "grpcmesh-orderservice";

    /// <summary>
    /// The UserService client from GrpcMesh.Clients (deadline → budgeted retry → circuit breaker; options under
    /// <c>Clients:UserService</c>), called with OrderService's own credential (<see cref="OrderServiceScopes.UpstreamScopes"/>)
    /// and the incoming call's deadline and cancellation.
    /// </summary>
    public static IServiceCollection AddUserServiceUpstream(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddUserServiceClient(configuration).CalledFromThisService(ServiceSubject, [.. OrderServiceScopes.UpstreamScopes]);
        services.AddTransient<UserCreditGateway>();
        return services;
    }
}

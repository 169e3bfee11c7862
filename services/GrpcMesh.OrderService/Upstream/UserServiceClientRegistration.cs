using GrpcMesh.User.V1;

namespace GrpcMesh.OrderService.Upstream;

public static class UserServiceClientRegistration
{
    public const string AddressKey = "Clients:UserService:Address";
    public const string DefaultAddress = "http://127.0.0.1:5001";

    /// <summary>
    /// Registers the generated <see cref="UserService.UserServiceClient"/>. Placeholder until GrpcMesh.Clients'
    /// <c>AddUserServiceClient(...)</c> (deadline, retry and breaker interceptors) replaces this one call.
    /// </summary>
    public static IServiceCollection AddUserServiceUpstream(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGrpcClient<UserService.UserServiceClient>(o => o.Address = new Uri(configuration[AddressKey] ?? DefaultAddress));
        services.AddTransient<UserCreditGateway>();
        return services;
    }
}

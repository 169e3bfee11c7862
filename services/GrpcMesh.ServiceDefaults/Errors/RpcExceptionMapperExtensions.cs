using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.ServiceDefaults.Errors;

public static class RpcExceptionMapperExtensions
{
    /// <summary>Adds <typeparamref name="TMapper"/> (a singleton) to the mappers the exception mapping consults.</summary>
    public static IServiceCollection AddRpcExceptionMapper<TMapper>(this IServiceCollection services)
        where TMapper : class, IRpcExceptionMapper
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRpcExceptionMapper, TMapper>());
        return services;
    }
}

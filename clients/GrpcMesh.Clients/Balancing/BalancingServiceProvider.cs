using Grpc.Net.Client.Balancer;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// The channel's service provider: the client factory's one, plus this client's resolver factories (<c>dns</c> with its
/// refresh interval, <c>static</c>) and balancer factory ahead of anything registered in DI. Per client, so two clients
/// can differ in refresh interval and each balancer is bound to its own target.
/// </summary>
internal sealed class BalancingServiceProvider(IServiceProvider? inner, ResolverFactory[] resolvers, LoadBalancerFactory[] balancers) : IServiceProvider
{
    public object? GetService(Type serviceType)
    {
        if (serviceType == typeof(IEnumerable<ResolverFactory>))
        {
            return resolvers.Concat(inner?.GetService(serviceType) as IEnumerable<ResolverFactory> ?? []).ToArray();
        }

        if (serviceType == typeof(IEnumerable<LoadBalancerFactory>))
        {
            return balancers.Concat(inner?.GetService(serviceType) as IEnumerable<LoadBalancerFactory> ?? []).ToArray();
        }

        return inner?.GetService(serviceType);
    }
}

using Grpc.Net.Client.Balancer;

namespace GrpcMesh.Clients.Balancing;

/// <summary>The <c>grpcmesh_round_robin</c> policy of one client's channel, bound to its target's <see cref="EndpointTable"/>.</summary>
internal sealed class OutlierAwareBalancerFactory(EndpointTable table) : LoadBalancerFactory
{
    public const string PolicyName = "grpcmesh_round_robin";

    public override string Name => PolicyName;

    public override LoadBalancer Create(LoadBalancerOptions options) => new OutlierAwareBalancer(options.Controller, options.LoggerFactory, table);
}

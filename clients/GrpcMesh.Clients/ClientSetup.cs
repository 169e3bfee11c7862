using Google.Protobuf.Reflection;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Clients.Target;

namespace GrpcMesh.Clients;

/// <summary>What one named client is built from, once, from its validated options: the parsed target, the per-method policies and, for a target balanced per call, its endpoint table.</summary>
internal sealed class ClientSetup(string name, GrpcMeshClientOptions options, ClientTarget target, MethodPolicies methods, EndpointTable? endpoints)
{
    public string Name { get; } = name;

    public GrpcMeshClientOptions Options { get; } = options;

    public ClientTarget Target { get; } = target;

    public MethodPolicies Methods { get; } = methods;

    /// <summary>Endpoint state of a target balanced per call (round_robin or least_loaded over a <c>dns:///</c> or <c>static:///</c> address); null otherwise.</summary>
    public EndpointTable? Endpoints { get; } = endpoints;

    public static ClientSetup Create(string name, ServiceDescriptor service, GrpcMeshClientOptions options, EndpointTableRegistry? endpoints)
    {
        var target = ClientTarget.Parse(options.Address ?? throw new InvalidOperationException($"Clients:{name}:Address is not set."), options.UseTls);
        var balanced = endpoints is not null && target.IsBalanced && options.LoadBalancing.IsPerCall;
        return new ClientSetup(name, options, target, new MethodPolicies(service, options), balanced ? endpoints!.Get(target, options) : null);
    }
}

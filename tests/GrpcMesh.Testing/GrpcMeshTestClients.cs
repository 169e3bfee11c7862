using GrpcMesh.Clients.Options;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.Testing;

/// <summary>Retargets a GrpcMesh.Clients registration (keeping its interceptors) at an in-memory test server.</summary>
public static class GrpcMeshTestClients
{
    public static void PointAt(IServiceCollection services, string clientName, Uri address, Func<HttpMessageHandler> handler)
    {
        services.Configure<GrpcMeshClientOptions>(clientName, o => o.Address = address);
        services.AddHttpClient(clientName).ConfigurePrimaryHttpMessageHandler(handler);
    }
}

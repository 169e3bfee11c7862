using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults.Hosting;

internal static class KestrelDefaults
{
    /// <summary>
    /// Every endpoint defaults to HTTP/2 only, so a plaintext <c>--urls http://…</c> endpoint speaks h2c
    /// (grpcurl -plaintext, Kubernetes gRPC probes). An endpoint's own <c>Kestrel:Endpoints:*:Protocols</c> still wins.
    /// </summary>
    public static IServiceCollection AddGrpcKestrelDefaults(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(kestrel =>
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
}

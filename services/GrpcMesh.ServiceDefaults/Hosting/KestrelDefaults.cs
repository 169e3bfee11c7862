using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults.Hosting;

internal static class KestrelDefaults
{
    /// <summary>
    /// Every endpoint defaults to HTTP/2 only, so a plaintext <c>--urls http://…</c> endpoint speaks h2c
    /// (grpcurl -plaintext, Kubernetes gRPC probes), and gets the <c>Connections:*</c> age limit. An endpoint's own
    /// <c>Kestrel:Endpoints:*:Protocols</c> still wins.
    /// </summary>
    public static IServiceCollection AddGrpcKestrelDefaults(this IServiceCollection services)
    {
        services.AddValidatedOptions<ConnectionAgeOptions>(ConnectionAgeOptions.SectionName);
        services.AddSingleton<ConnectionAgeLimit>();
        services.AddOptions<KestrelServerOptions>().Configure<ConnectionAgeLimit>((kestrel, ageLimit) =>
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                ageLimit.Apply(listen);
            }));
        return services;
    }
}

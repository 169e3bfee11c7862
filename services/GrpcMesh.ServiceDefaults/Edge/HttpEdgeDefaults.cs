using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.ServiceDefaults.Edge;

internal static class HttpEdgeDefaults
{
    /// <summary>
    /// With <c>Http:Port</c> set: JSON transcoding of the <c>google.api.http</c> routes (errors carry the
    /// google.rpc.Status details, so their types are registered for JSON), kept off the gRPC port, and the
    /// <see cref="HttpEdge"/> listener that serves them with gRPC-Web and the OpenAPI document. Unset: nothing.
    /// </summary>
    public static WebApplicationBuilder AddGrpcMeshHttpEdge(this WebApplicationBuilder builder, IGrpcServerBuilder grpc)
    {
        var services = builder.Services;
        services.AddValidatedOptions<HttpEdgeOptions>(HttpEdgeOptions.SectionName);
        services.AddSingleton<HttpEdge>();
        services.AddHostedService(sp => sp.GetRequiredService<HttpEdge>());
        if (builder.Configuration.GetSection(HttpEdgeOptions.SectionName).Get<HttpEdgeOptions>()?.Port is null)
        {
            return builder;
        }

        grpc.AddJsonTranscoding(options =>
        {
            options.TypeRegistry = TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor);
            // proto3 JSON: 64-bit integers as strings (JavaScript numbers lose precision past 2^53), as grpcurl writes them.
            options.JsonSettings.WriteInt64sAsStrings = true;
        });
        services.TryAddEnumerable(Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton<MatcherPolicy, GrpcPortRefusesJson>());
        return builder;
    }
}

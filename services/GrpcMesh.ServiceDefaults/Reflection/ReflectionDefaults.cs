using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Reflection;

internal static class ReflectionDefaults
{
    public static IServiceCollection AddGrpcMeshReflection(this IServiceCollection services)
    {
        services.AddOptions<ReflectionOptions>().BindConfiguration(ReflectionOptions.SectionName);
        services.AddGrpcReflection();
        return services;
    }

    /// <summary>
    /// Maps grpc.reflection.v1.ServerReflection and grpc.reflection.v1alpha.ServerReflection (grpc-dotnet 2.85 maps
    /// both from one call) when enabled. The descriptors come from every mapped gRPC service, health included.
    /// </summary>
    public static void MapGrpcMeshReflection(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<ReflectionOptions>>().Value;
        var environment = app.ServiceProvider.GetRequiredService<IHostEnvironment>();
        if (options.IsEnabled(environment.IsDevelopment()))
        {
            app.MapGrpcReflectionService();
        }
    }
}

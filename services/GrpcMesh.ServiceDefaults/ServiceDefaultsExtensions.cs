using Grpc.AspNetCore.Server;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Hosting;
using GrpcMesh.ServiceDefaults.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Cross-cutting server setup shared by every GrpcMesh service: h2c Kestrel defaults, gRPC with the
    /// exception-mapping interceptor, health (grpc.health.v1), server reflection and structured logging.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, Action<GrpcServiceOptions>? configureGrpc = null)
    {
        builder.AddStructuredLogging();
        builder.AddInvalidMessageMapping();
        builder.Services.AddGrpcKestrelDefaults();
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<ExceptionMappingInterceptor>();
            configureGrpc?.Invoke(options);
        });
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        return builder;
    }

    /// <summary>Maps grpc.health.v1.Health and server reflection (v1 and v1alpha).</summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}

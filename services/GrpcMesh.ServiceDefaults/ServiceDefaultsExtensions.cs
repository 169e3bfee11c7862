using Grpc.AspNetCore.Server;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.ServiceDefaults.Hosting;
using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.ServiceDefaults.Logging;
using GrpcMesh.ServiceDefaults.Reflection;
using GrpcMesh.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Cross-cutting server setup shared by every GrpcMesh service: h2c Kestrel defaults, gRPC with the metrics and
    /// exception-mapping interceptors, health (grpc.health.v1) with drain on shutdown (<c>Shutdown:*</c>), server
    /// reflection (<c>Reflection:Enabled</c>), OpenTelemetry traces and metrics (<c>Telemetry:*</c>, <c>OTEL_*</c>)
    /// and structured JSON logging with trace ids.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, Action<GrpcServiceOptions>? configureGrpc = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddStructuredLogging();
        builder.AddInvalidMessageMapping();
        builder.AddGrpcMeshTelemetry();
        builder.Services.AddGrpcKestrelDefaults();
        builder.Services.AddGrpc(options =>
        {
            // First registered runs outermost: metrics see the status produced by the exception mapping.
            options.Interceptors.Add<RpcServerMetricsInterceptor>();
            options.Interceptors.Add<ExceptionMappingInterceptor>();
            // Auth before the limits: they key on the authenticated caller.
            options.Interceptors.Add<AuthInterceptor>();
            options.Interceptors.Add<LimitsInterceptor>();
            configureGrpc?.Invoke(options);
        });
        builder.Services.AddGrpcMeshAuth();
        builder.Services.AddGrpcMeshLimits();
        builder.Services.AddGrpcMeshHealth();
        builder.Services.AddGrpcMeshReflection();
        return builder;
    }

    /// <summary>
    /// Maps grpc.health.v1.Health ("" and every mapped service name report readiness, "liveness" reports liveness)
    /// and, when enabled, server reflection v1 and v1alpha.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcHealthChecksService();
        app.MapGrpcMeshReflection();
        return app;
    }
}

using Grpc.AspNetCore.Server;
using GrpcMesh.ServiceDefaults.Auth;
using GrpcMesh.ServiceDefaults.Edge;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.ServiceDefaults.Hosting;
using GrpcMesh.ServiceDefaults.Limits;
using GrpcMesh.ServiceDefaults.Logging;
using GrpcMesh.ServiceDefaults.Reflection;
using GrpcMesh.ServiceDefaults.Telemetry;
using GrpcMesh.ServiceDefaults.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Cross-cutting server setup shared by every GrpcMesh service: h2c Kestrel defaults, TLS/mTLS (<c>Tls:*</c>), gRPC with
    /// one interceptor for metrics, exception mapping, auth (<c>Auth:*</c>, bearer tokens and per-method scopes) and limits
    /// (<c>Limits:*</c>: rate limit, message sizes, load shedding), health (grpc.health.v1) with drain on shutdown (<c>Shutdown:*</c>), server
    /// reflection (<c>Reflection:Enabled</c>), the HTTP edge (<c>Http:*</c>: JSON API, gRPC-Web, OpenAPI), OpenTelemetry traces and metrics (<c>Telemetry:*</c>, <c>OTEL_*</c>)
    /// and structured JSON logging with trace ids.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, Action<GrpcServiceOptions>? configureGrpc = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The one clock (README, "Time"): token expiry, rate-limit refill, the drain delay and the services' own timing
        // read it; tests replace it with a FakeTimeProvider through DI.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddStructuredLogging();
        builder.AddInvalidMessageMapping();
        builder.AddGrpcMeshTelemetry();
        builder.Services.AddGrpcKestrelDefaults();
        builder.Services.AddGrpcMeshTls();
        builder.Services.AddSingleton<ExceptionToStatusMapper>();
        // Interceptors are resolved on every call: singletons cost a lookup, unregistered types a new instance each time.
        builder.Services.AddSingleton<ServerCallInterceptor>();
        var grpc = builder.Services.AddGrpc(options =>
        {
            // Metrics, exception mapping, auth, then limits (keyed on the authenticated caller), as one layer.
            options.Interceptors.Add<ServerCallInterceptor>();
            configureGrpc?.Invoke(options);
        });
        builder.AddGrpcMeshHttpEdge(grpc);
        builder.Services.AddGrpcMeshAuth();
        builder.Services.AddGrpcMeshLimits();
        builder.Services.AddGrpcMeshHealth();
        builder.Services.AddGrpcMeshReflection();
        return builder;
    }

    /// <summary>
    /// Maps grpc.health.v1.Health ("" and every mapped service name report readiness, "liveness" reports liveness)
    /// and, when enabled, server reflection v1 and v1alpha; the HTTP edge (<c>Http:Port</c>) serves this app's routes.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        SkipImplicitAuthenticationMiddleware(app);
        UseSheddableRefusals(app);
        app.MapGrpcHealthChecksService();
        app.MapGrpcMeshReflection();
        app.ServiceProvider.GetRequiredService<HttpEdge>().Serve(app);
        return app;
    }

    /// <summary>
    /// Sheddable calls the gate would refuse are refused in front of grpc-dotnet (<see cref="SheddableRefusals"/>): after
    /// routing, which WebApplication puts first, so the call's gRPC method is known. In a pipeline that is not an
    /// application builder the interceptor refuses them, as every other refusal.
    /// </summary>
    private static void UseSheddableRefusals(IEndpointRouteBuilder app)
    {
        if (app is IApplicationBuilder pipeline)
        {
            var gate = app.ServiceProvider.GetRequiredService<SheddableRefusals>();
            pipeline.Use(next => http => gate.InvokeAsync(http, next));
        }
    }

    /// <summary>
    /// WebApplication inserts the authentication middleware by itself once authentication services are registered,
    /// unless the pipeline says it already has one. Every call is authenticated by <see cref="Auth.CallAuthenticator"/>
    /// instead (there is no default scheme, see <see cref="Auth.ExplicitDefaultSchemeProvider"/>), so that middleware would
    /// only cost each request a scoped handler provider and a feature (~0.4 µs of ~25 µs per call, bench/README.md).
    /// The marker is the one <c>UseAuthentication()</c> sets; an explicit <c>app.UseAuthentication()</c> still adds it.
    /// </summary>
    private static void SkipImplicitAuthenticationMiddleware(IEndpointRouteBuilder app)
    {
        if (app is IApplicationBuilder pipeline)
        {
            pipeline.Properties.TryAdd("__AuthenticationMiddlewareSet", true);
        }
    }
}

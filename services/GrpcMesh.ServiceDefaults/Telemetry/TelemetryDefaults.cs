using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GrpcMesh.ServiceDefaults.Telemetry;

internal static class TelemetryDefaults
{
    private static readonly PathString HealthPath = new("/grpc.health.v1.Health");

    public static WebApplicationBuilder AddGrpcMeshTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;

        // rpc.* attributes on gRPC server spans are opt-in in the ASP.NET Core instrumentation; default them on.
        if (configuration[GrpcMeshTelemetry.AspNetCoreGrpcInstrumentationFlag] is null)
        {
            configuration.AddInMemoryCollection([new(GrpcMeshTelemetry.AspNetCoreGrpcInstrumentationFlag, "true")]);
        }

        services.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName);
        services.AddSingleton<RpcMetrics>();

        var serviceName = builder.Environment.ApplicationName;
        var prometheus = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()?.PrometheusPort is not null;
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // AddService would override OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, so it only fills the default.
                if (!ServiceNameConfigured(configuration))
                {
                    resource.AddService(serviceName);
                }
            })
            .WithTracing(tracing => tracing
                .SetSampler(sp => new ParentBasedSampler(new TraceIdRatioBasedSampler(
                    sp.GetRequiredService<IOptions<TelemetryOptions>>().Value
                        .EffectiveSamplingRatio(sp.GetRequiredService<IHostEnvironment>().IsDevelopment()))))
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(HealthPath))
                .AddGrpcClientInstrumentation(o => o.SuppressDownstreamInstrumentation = true)
                .AddSource(GrpcMeshTelemetry.NamePattern))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddMeter(GrpcMeshTelemetry.NamePattern);
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });

        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        services.AddSingleton<PrometheusEndpoint>();
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusEndpoint>());
        return builder;
    }

    internal static bool ServiceNameConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])
        || (configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(attribute => attribute.StartsWith("service.name=", StringComparison.Ordinal));
}

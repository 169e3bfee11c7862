using System.Security.Cryptography.X509Certificates;
using GrpcMesh.ServiceDefaults.Hosting;
using GrpcMesh.ServiceDefaults.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Edge;

/// <summary>
/// The HTTP edge (<see cref="HttpEdgeOptions"/>): a listener of its own (HTTP/1.1; with TLS also HTTP/2) that routes to the
/// service's own endpoints — the JSON routes of gRPC JSON transcoding, the gRPC methods for gRPC-Web — with CORS in
/// front and the OpenAPI document beside them. Like <see cref="Telemetry.PrometheusEndpoint"/> it is an
/// <see cref="EmbeddedServer"/>.
/// <para>
/// Every call still runs in the service's container (a request scope of it replaces the edge's own), so it goes through
/// the same <see cref="Hosting.ServerCallInterceptor"/> as a gRPC call: auth and scopes, rate limits and admission,
/// validation, exception mapping and the <c>rpc.server.call.duration</c> metric. Deadlines: gRPC-Web calls honour
/// <c>grpc-timeout</c> through grpc-dotnet, JSON calls through <see cref="JsonCallDeadline"/>.
/// </para>
/// </summary>
public sealed partial class HttpEdge(
    IOptions<HttpEdgeOptions> options,
    IOptions<TlsOptions> tls,
    IServiceProvider services,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    public const string OpenApiPath = "/openapi/v1.json";

    private const string CorsPolicy = "edge";

    private readonly EmbeddedServerLifetime _server = new();
    private IEndpointRouteBuilder? _service;

    /// <summary>The edge's base URL once started (with the real port when configured as 0); null when disabled.</summary>
    public Uri? Url { get; private set; }

    /// <summary>
    /// The service's routes the edge serves (called by <c>MapDefaultEndpoints</c>). Read when the edge starts, once
    /// every service is mapped: the endpoints routing middleware sees are not in the container's EndpointDataSource
    /// before the service's pipeline is built.
    /// </summary>
    internal void Serve(IEndpointRouteBuilder service) => _service = service;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Port is not { } port)
        {
            return;
        }

        var builder = EmbeddedServer.CreateBuilder(settings.Address, port, listen => UseProtocols(listen, settings.UseTls ? tls.Value : null), loggerFactory);
        // Route constraints the service registered (grpc-dotnet's "grpcunimplemented") are needed to match its endpoints.
        var serviceRoutes = services.GetRequiredService<IOptions<RouteOptions>>().Value;
        builder.Services.AddRouting(routes =>
        {
            foreach (var (name, type) in serviceRoutes.ConstraintMap)
            {
                routes.ConstraintMap[name] = type;
            }
        });
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => ConfigureCors(policy, settings.CorsOrigins)));

        var app = builder.Build();
        app.UseCors(CorsPolicy);
        app.UseRouting();
        if (settings.GrpcWeb)
        {
            app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        }

        app.Use(next => context => JsonCallDeadline.ApplyAsync(context, next));
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        app.Use(next => context => InServiceScopeAsync(scopes, next, context));
        // The service's endpoints (WebApplication adds the endpoint middleware at the end of this pipeline).
        var serviceEndpoints = new CompositeEndpointDataSource(_service?.DataSources
            ?? throw new InvalidOperationException("Http:Port is set but the HTTP edge has no routes: call app.MapDefaultEndpoints()"));
        ((IEndpointRouteBuilder)app).DataSources.Add(serviceEndpoints);
        if (settings.OpenApi)
        {
            var document = OpenApiDocument.Write(serviceEndpoints);
            app.MapGet(OpenApiPath, () => Results.Text(document, "application/json"));
        }

        Url = await _server.StartAsync(app, cancellationToken).ConfigureAwait(false);
        LogListening(loggerFactory.CreateLogger<HttpEdge>(), Url);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>
    /// Plaintext: HTTP/1.1 (browsers and curl; HTTP/2 without TLS would need prior knowledge, which browsers never use).
    /// With <c>Http:UseTls</c>: HTTPS with the service's <c>Tls:*</c> certificate, HTTP/1.1 and HTTP/2 by ALPN.
    /// </summary>
    private static void UseProtocols(ListenOptions listen, TlsOptions? tls)
    {
        if (tls is null)
        {
            listen.Protocols = HttpProtocols.Http1;
            return;
        }

        if (string.IsNullOrWhiteSpace(tls.CertificatePath) || !File.Exists(tls.CertificatePath))
        {
            throw new OptionsValidationException(HttpEdgeOptions.SectionName, typeof(HttpEdgeOptions),
                [$"Http:UseTls needs a server certificate: Tls:CertificatePath '{tls.CertificatePath}' is not a file"]);
        }

        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath));
    }

    /// <summary>The service's handlers, interceptors and auth resolve from the request's services: give them the service's.</summary>
    private static async Task InServiceScopeAsync(IServiceScopeFactory scopes, RequestDelegate next, HttpContext context)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            context.RequestServices = scope.ServiceProvider;
            await next(context).ConfigureAwait(false);
        }
    }

    private static void ConfigureCors(Microsoft.AspNetCore.Cors.Infrastructure.CorsPolicyBuilder policy, string[] origins)
    {
        if (origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(origins);
        }

        policy.AllowAnyHeader().AllowAnyMethod()
            .WithExposedHeaders("grpc-status", "grpc-message", "grpc-status-details-bin");
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "HTTP edge (JSON API, gRPC-Web) at {Url}")]
    private static partial void LogListening(ILogger logger, Uri? url);
}

using GrpcMesh.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint (<c>GET /metrics</c>) on its own plain HTTP/1.1 listener
/// (<see cref="TelemetryOptions.PrometheusPort"/>, an <see cref="EmbeddedServer"/>).
/// </summary>
public sealed partial class PrometheusEndpoint(
    IOptions<TelemetryOptions> options,
    IServiceProvider services,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    public const string Path = "/metrics";

    private readonly EmbeddedServerLifetime _server = new();

    /// <summary>The scrape URL once started (with the real port when configured as 0); null when disabled.</summary>
    public Uri? Url { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.PrometheusPort is not { } port)
        {
            return;
        }

        var builder = EmbeddedServer.CreateBuilder(settings.PrometheusAddress, port, listen => listen.Protocols = HttpProtocols.Http1, loggerFactory);
        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            services.GetRequiredService<MeterProvider>(), predicate: null, path: Path, configureBranchedPipeline: null, optionsName: null);
        Url = await _server.StartAsync(app, cancellationToken).ConfigureAwait(false) is { } address ? new Uri(address, Path) : null;
        LogListening(loggerFactory.CreateLogger<PrometheusEndpoint>(), Url);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Prometheus metrics at {Url}")]
    private static partial void LogListening(ILogger logger, Uri? url);
}

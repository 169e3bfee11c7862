using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint (<c>GET /metrics</c>) on its own plain HTTP/1.1 listener
/// (<see cref="TelemetryOptions.PrometheusPort"/>), so the gRPC endpoint stays HTTP/2-only and <c>--urls</c> keeps
/// working: a second Kestrel endpoint in the service's own server would replace the addresses given by --urls.
/// </summary>
public sealed partial class PrometheusEndpoint(
    IOptions<TelemetryOptions> options,
    IServiceProvider services,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    public const string Path = "/metrics";

    private WebApplication? _app;

    /// <summary>The scrape URL once started (with the real port when configured as 0); null when disabled.</summary>
    public Uri? Url { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.PrometheusPort is not { } port)
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Parse(settings.PrometheusAddress), port, listen => listen.Protocols = HttpProtocols.Http1));
        // Part of the service, not a second application: no lifetime of its own (SIGTERM belongs to the service's
        // host, which stops this endpoint after the drain) and no second "Now listening"/"Application started" lines.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            services.GetRequiredService<MeterProvider>(), predicate: null, path: Path, configureBranchedPipeline: null, optionsName: null);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Url = address is null ? null : new Uri(new Uri(address), Path);
        LogListening(loggerFactory.CreateLogger<PrometheusEndpoint>(), Url);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private sealed class EmbeddedHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Prometheus metrics at {Url}")]
    private static partial void LogListening(ILogger logger, Uri? url);
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.ServiceDefaults.Hosting;

/// <summary>
/// A second small web server inside a service's process (the Prometheus endpoint, the HTTP edge) on a listener of its
/// own, so the gRPC endpoint stays HTTP/2-only and <c>--urls</c> keeps working: a second Kestrel endpoint in the
/// service's own server would replace the addresses given by --urls.
/// </summary>
internal static class EmbeddedServer
{
    /// <summary>
    /// A builder listening on <paramref name="address"/>:<paramref name="port"/>. Part of the service, not a second
    /// application: no lifetime of its own (SIGTERM belongs to the service's host, which stops this server after the
    /// drain), its logs go to the service's logger factory, without a second "Now listening"/"Application started".
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string address, int port, Action<ListenOptions> listen, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(address), port, listen));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return builder;
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
}

/// <summary>An <see cref="EmbeddedServer"/> once started: stopped with the service's host, disposed with its container.</summary>
internal sealed class EmbeddedServerLifetime
{
    private WebApplication? _app;

    /// <summary>Starts <paramref name="app"/> and returns its address (with the real port when configured as 0).</summary>
    public async Task<Uri?> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } address
            ? new Uri(address)
            : null;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }
}

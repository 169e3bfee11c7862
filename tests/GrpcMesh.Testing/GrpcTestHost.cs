using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Testing;

/// <summary>
/// An in-memory host (TestServer) of the service whose assembly holds <typeparamref name="TMarker"/>, with its own
/// data directory and configuration overrides, and a <see cref="GrpcChannel"/> wired to it.
/// </summary>
public class GrpcTestHost<TMarker> : WebApplicationFactory<TMarker> where TMarker : class
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly TempDirectory _dataDirectory = new();
    private readonly HostStartupFailureLog _startupFailure = new();
    private GrpcChannel? _channel;
    private Uri? _loopbackAddress;

    public GrpcTestHost(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Storage:DataDirectory"] = settings?.GetValueOrDefault("Storage:DataDirectory") ?? _dataDirectory.Path,
        };

        // Tests call without tokens unless they turn auth on (Auth:Enabled=true plus a key, see TestTokens).
        _settings.TryAdd("Auth:Enabled", "false");

        // Tests stop hosts at will: without this every dispose would drain for Shutdown:DrainDelay (5 s), and on a host
        // with a fake clock until the host's shutdown timeout (35 s). Drain tests set their own delay.
        _settings.TryAdd("Shutdown:DrainDelay", "00:00:00");
        _configureServices = configureServices;
    }

    public string DataDirectory => _settings["Storage:DataDirectory"]!;

    public GrpcChannel Channel => _channel ??= CreateChannel();

    /// <summary>The real Kestrel address after <see cref="StartOnLoopback()"/>; null for the in-memory TestServer.</summary>
    public Uri? LoopbackAddress => _loopbackAddress;

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        if (_loopbackAddress is not null)
        {
            return GrpcChannel.ForAddress(_loopbackAddress, options);
        }

        options.HttpHandler ??= Server.CreateHandler();
        return GrpcChannel.ForAddress(Server.BaseAddress, options);
    }

    /// <summary>
    /// Serves on real Kestrel at 127.0.0.1 (a free port, h2c) instead of the in-memory TestServer, for tests that need
    /// real sockets (HTTP-level trace propagation, connection failures). The endpoint is set in Kestrel's options, so
    /// it is in place before the app's own start (UseKestrel(port) races a minimal-hosting app).
    /// </summary>
    public Uri StartOnLoopback() => StartOnLoopback(https: false);

    /// <summary>
    /// Like <see cref="StartOnLoopback()"/>; with <paramref name="https"/> the endpoint is <c>https://127.0.0.1:0</c> from
    /// configuration, so it takes the service's own HTTPS settings (<c>Tls:*</c>) exactly as a deployed service would.
    /// </summary>
    public Uri StartOnLoopback(bool https)
    {
        if (https)
        {
            _settings["urls"] = "https://127.0.0.1:0";
            UseKestrel();
        }
        else
        {
            UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        }

        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _loopbackAddress = new Uri(address);
        return _loopbackAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // Created by the container (a factory, not an instance), so the container also disposes it: see ProviderDisposed.
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(_ => _startupFailure));
        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
        }
    }

    /// <summary>
    /// WebApplicationFactory races the application's own start: when that fails fast (e.g. options validation), the
    /// application disposes the host before the factory looks at it, and the factory reports the disposed service
    /// provider instead of the reason. Report the reason.
    /// </summary>
    /// <remarks>
    /// The host is returned wrapped in an <see cref="ApplicationOwnedHost"/>: the application's own <c>app.Run()</c>
    /// (which WebApplicationFactory lets run on the entry point's thread) owns stopping and disposing it.
    /// </remarks>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        try
        {
            return new ApplicationOwnedHost(base.CreateHost(builder), _startupFailure.ProviderDisposed);
        }
        catch (ObjectDisposedException ex) when (_startupFailure.Failure is { } failure)
        {
            throw new InvalidOperationException($"the host failed to start: {failure.Message}", new AggregateException(failure, ex));
        }
    }

    protected override void Dispose(bool disposing)
    {
        _channel?.Dispose();
        base.Dispose(disposing);
        if (disposing)
        {
            _dataDirectory.Dispose();
        }
    }
}

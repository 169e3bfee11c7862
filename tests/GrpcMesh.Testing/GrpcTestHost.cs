using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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
    private GrpcChannel? _channel;

    public GrpcTestHost(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Storage:DataDirectory"] = settings?.GetValueOrDefault("Storage:DataDirectory") ?? _dataDirectory.Path,
        };
        _configureServices = configureServices;
    }

    public string DataDirectory => _settings["Storage:DataDirectory"]!;

    public GrpcChannel Channel => _channel ??= CreateChannel();

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        options.HttpHandler ??= Server.CreateHandler();
        return GrpcChannel.ForAddress(Server.BaseAddress, options);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
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

using System.Net;
using GrpcMesh.Clients.Context;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>A real Kestrel gRPC server on 127.0.0.1 with a free port (h2c), hosting <typeparamref name="TService"/>.</summary>
public sealed class GrpcServer<TService> : IAsyncDisposable where TService : class
{
    private readonly WebApplication _app;

    private GrpcServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public FakeUserBackend Backend => _app.Services.GetRequiredService<FakeUserBackend>();

    public IServiceProvider Services => _app.Services;

    public static async Task<GrpcServer<TService>> StartAsync(Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.Interceptors.Add<ServerCallContextCaptureInterceptor>());
        builder.Services.AddSingleton<FakeUserBackend>();
        builder.Services.AddGrpcMeshServerCallContext();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new GrpcServer<TService>(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
